"""Background work: rights-request e-mails and the daily retention run."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from rabatt.core.timeutil import utcnow
from rabatt.privacy.requests import privacy_request_create
from rabatt.privacy.retention import retention_run


@task()
def privacy_request_send(email: str, kind: str, locale: str) -> None:
    """Record a rights request and e-mail its link (or that we hold nothing)."""
    privacy_request_create(email=email, kind=kind, locale=locale)


@task()
def retention_daily(reschedule: bool = True) -> int:
    """Apply the retention rules, then enqueue tomorrow's run (start the chain once with
    ``rabatt privacy retention --schedule``; running it twice a day is harmless)."""
    run = retention_run()
    if reschedule:
        retention_daily.using(run_after=utcnow() + timedelta(days=1)).enqueue(True)
    return int(run.pk)
