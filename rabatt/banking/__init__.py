"""Bank details of claimants: per-country validation, normalisation and holder-name matching."""

from .accounts import (
    CLEARING_SYSTEMS,
    COUNTRY_CURRENCY,
    AccountType,
    BankAccount,
    Scheme,
    aba_checksum_ok,
    currency_for,
    normalise,
    supported_countries,
    validate_bank_account,
)
from .errors import MESSAGES, BankDetailsError
from .names import NameMatch, holder_name_match

__all__ = [
    "CLEARING_SYSTEMS",
    "COUNTRY_CURRENCY",
    "MESSAGES",
    "AccountType",
    "BankAccount",
    "BankDetailsError",
    "NameMatch",
    "Scheme",
    "aba_checksum_ok",
    "currency_for",
    "holder_name_match",
    "normalise",
    "supported_countries",
    "validate_bank_account",
]
