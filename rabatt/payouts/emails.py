"""The payout alert: finance hears about unpaid claims due soon or late, through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from rabatt.notifications.services import email_queue
from rabatt.payouts.models import DueAlert


def _line(alert: DueAlert) -> dict[str, Any]:
    claim = alert.claim
    return {"reference": claim.reference, "amount": str(claim.amount),
            "currency": claim.currency,
            "due": timezone.localtime(alert.due_at).strftime("%Y-%m-%d")}


def alert_due_email_queue(*, alerts: Sequence[DueAlert], recipients: Sequence[str],
                          now: datetime, days: int) -> None:
    """Queue the alert about ``alerts`` to each finance user, in the caller's transaction.

    An alert is reported in one e-mail only (the caller marks it in the same transaction), so
    the first alert of the e-mail names it: queuing the same e-mail twice queues it once.
    """
    context = {"late": [_line(a) for a in alerts if a.due_at < now],
               "soon": [_line(a) for a in alerts if a.due_at >= now], "days": days}
    first = min(a.pk for a in alerts)
    for to in recipients:
        # Staff have no language of their own: the site's default.
        email_queue(kind="payouts.alert_due", dedup_key=f"payout-alert:{first}:{to}", to=to,
                    template="payouts/email/alert_due", context=context,
                    locale=settings.LANGUAGE_CODE)
