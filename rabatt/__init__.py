"""Rabatt: consumer promotions with cashback claims, referrals, codes, payouts and privacy."""

__version__ = "0.1.0"
