"""Settings of the codes app, with defaults (override in settings.py when needed)."""

from __future__ import annotations

from django.conf import settings


def shop_rate_per_key() -> int:
    """Shop API calls (validate, redeem, cancel, return) per API key per minute."""
    return int(getattr(settings, "RABATT_SHOP_RATE_PER_KEY", 1200))


def shop_rate_per_ip() -> int:
    """Shop API calls per client IP per minute (also counts calls with a wrong key)."""
    return int(getattr(settings, "RABATT_SHOP_RATE_PER_IP", 600))


def distribution_rate() -> float:
    """Default messages per second for `rabatt codes distribute`."""
    return float(getattr(settings, "RABATT_DISTRIBUTION_RATE", 5))
