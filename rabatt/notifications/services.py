"""Send e-mails after commit, through background tasks, at most once per reason."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rabatt.claims.models import ClaimEvent, ClaimStatus
from rabatt.core.timeutil import utcnow
from rabatt.notifications.messages import CLAIM_MESSAGES
from rabatt.notifications.models import OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def claim_event_notify(*, event_id: int) -> None:
    """Queue the e-mail for a claim event; a second call for the same event does nothing."""
    from rabatt.notifications.tasks import send_claim_event_email

    event = ClaimEvent.objects.select_related("claim").get(pk=event_id)
    if event.kind not in CLAIM_MESSAGES:
        return
    _row, created = OutboundEmail.objects.get_or_create(
        event=event, defaults={"kind": event.kind, "to": event.claim.email}
    )
    if created:
        send_claim_event_email.enqueue(event_id)


def claim_event_email_send(*, event_id: int) -> str:
    """Send the e-mail of a claim event unless it was sent already; return its status."""
    from rabatt.claims.services import claim_info_email_sent

    with transaction.atomic():
        row = OutboundEmail.objects.select_for_update().select_related(
            "event__claim").filter(event_id=event_id).first()
        if row is None or row.status == OutboundEmail.Status.SENT:
            return "skipped"
        event = row.event
        assert event is not None
        claim = event.claim
        message_id = row.message_id or make_msgid(domain="rabatt.invalid")
        try:
            message = _claim_message(event, message_id)
            message.send()
        except Exception as exc:  # SMTP, DNS, timeouts: retried with backoff
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:300]
            row.message_id = message_id
            row.status = (OutboundEmail.Status.FAILED if row.attempts >= MAX_ATTEMPTS
                          else OutboundEmail.Status.PENDING)
            row.save(update_fields=["attempts", "last_error", "message_id", "status"])
            log.warning("e-mail for event %s failed (attempt %s): %s", event_id, row.attempts, exc)
            if row.status == OutboundEmail.Status.PENDING:
                from rabatt.notifications.tasks import send_claim_event_email

                delay = timedelta(seconds=min(3600, 30 * 2 ** (row.attempts - 1)))
                transaction.on_commit(lambda: send_claim_event_email.using(
                    run_after=utcnow() + delay).enqueue(event_id))
            return row.status
        row.status = OutboundEmail.Status.SENT
        row.attempts += 1
        row.sent_at = utcnow()
        row.message_id = message_id
        row.last_error = ""
        row.save(update_fields=["status", "attempts", "sent_at", "message_id", "last_error"])
        if event.kind == "request_info" and claim.status == ClaimStatus.INFO_REQUESTED:
            due = claim_info_email_sent(claim_id=claim.pk, sent_at=row.sent_at)
            if due is not None:
                from rabatt.claims.tasks import lapse_claim_if_unanswered

                claim_id = claim.pk
                transaction.on_commit(lambda: lapse_claim_if_unanswered.using(
                    run_after=due).enqueue(claim_id))
    return "sent"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _claim_message(event: ClaimEvent, message_id: str) -> mail.EmailMultiAlternatives:
    claim = event.claim
    subject_text, intro = CLAIM_MESSAGES[event.kind]
    with translation.override(claim.locale):
        context = {
            "claim": claim,
            "event": event,
            "subject": str(subject_text) % {"reference": claim.reference},
            "intro": str(intro),
            "tracker_url": _absolute(reverse("claims:track") + f"?reference={claim.reference}"),
            "answer_url": (_absolute(reverse("claims:answer", args=[event.data["token"]]))
                           if event.kind in ("request_info", "mark_payment_failed")
                           and event.data.get("token") else ""),
            "reasons": _reason_labels(event),
            "privacy_url": _absolute("/privacy/"),
        }
        text = render_to_string("notifications/claim_event.txt", context)
        html = render_to_string("notifications/claim_event.html", context)
    message = mail.EmailMultiAlternatives(
        subject=str(context["subject"]), body=text, to=[claim.email],
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(html, "text/html")
    return message


def _reason_labels(event: ClaimEvent) -> list[str]:
    from rabatt.claims.models import InfoReason

    labels = []
    for reason in event.reasons:
        try:
            labels.append(str(InfoReason(reason).label))
        except ValueError:
            labels.append(reason)
    return labels
