"""The staff account e-mails: the administrators' alert about a locked account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rabatt.notifications.services import email_queue


def account_locked_email_queue(*, profile_id: int, email: str, ip: str, until: datetime,
                               failures: int, to: Sequence[str]) -> None:
    """Queue the lockout alert to each administrator, in the transaction that locks."""
    for address in to:
        email_queue(
            kind="accounts.locked",
            dedup_key=f"staff-locked:{profile_id}:{until.timestamp():.0f}:{address}",
            to=address, template="accounts/email/locked",
            context={"email": email, "ip": ip, "until": str(until), "failures": failures},
            # Administrators read this in English, like the server logs.
            locale="en",
        )
