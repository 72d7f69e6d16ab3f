from django.tasks import task

from rabatt.notifications.services import claim_event_email_send


@task()
def send_claim_event_email(event_id: int) -> str:
    """Send one claim e-mail; safe to run again (it checks what was sent)."""
    return claim_event_email_send(event_id=event_id)
