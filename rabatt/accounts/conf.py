"""Settings of staff accounts and the review desk, with defaults (override in settings.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def lockout_failures() -> int:
    """Failed logins (password or second factor) in a row before an account is locked."""
    return int(_get("STAFF_LOCKOUT_FAILURES", 5))


def lockout_seconds() -> int:
    """How long an address is refused for one account after too many failures on it."""
    return int(_get("STAFF_LOCKOUT_SECONDS", 15 * 60))


def login_delay_max_seconds() -> int:
    """The longest wait between attempts on one account after repeated failures."""
    return int(_get("STAFF_LOGIN_DELAY_MAX_SECONDS", 60))


def session_seconds() -> int:
    """A staff session ends this long after login, however active."""
    return int(_get("STAFF_SESSION_SECONDS", 10 * 60 * 60))


def idle_seconds() -> int:
    """A staff session ends after this long without a request."""
    return int(_get("STAFF_IDLE_SECONDS", 30 * 60))


def alert_emails() -> list[str]:
    """Who hears about locked accounts; administrators (by role) when empty."""
    return list(_get("STAFF_ALERT_EMAILS", []))


def totp_issuer() -> str:
    return str(_get("STAFF_TOTP_ISSUER", "Rabatt"))


def assignment_seconds() -> int:
    """An agent's hold on a claim lapses after this long without activity."""
    return int(_get("REVIEW_ASSIGNMENT_SECONDS", 15 * 60))

