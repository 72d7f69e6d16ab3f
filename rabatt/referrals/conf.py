"""Settings of the referral programme, with defaults (override in settings.py when needed)."""

from __future__ import annotations

from django.conf import settings


def progress_link_days() -> int:
    """How long an e-mailed progress link works."""
    return int(getattr(settings, "RABATT_REFERRAL_PROGRESS_DAYS", 30))


def signup_rate_per_ip() -> int:
    """Friend sign-ups (and link creations) per client IP per hour."""
    return int(getattr(settings, "RABATT_REFERRAL_RATE_PER_IP", 20))


DEVICE_COOKIE = "rabatt_device"
