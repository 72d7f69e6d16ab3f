"""Background work of the outbox: send one e-mail, and find the ones whose wake-up was lost."""

from __future__ import annotations

from django.tasks import task

from rabatt.notifications.services import email_send, outbox_sweep


# Its own queue, served by its own worker and ahead of everything else, so a confirmation
# never waits behind receipt reading (rabatt serve; docs/deploy.md).
@task(queue_name="email", priority=10)
def send_email(email_id: int) -> str:
    """Send one queued e-mail; safe to run again (the row says what was sent)."""
    return email_send(email_id=email_id)


@task(queue_name="email", priority=10)
def sweep_outbox() -> int:
    """Enqueue again every due e-mail whose task was lost (a crashed worker, a broker outage)."""
    return outbox_sweep()
