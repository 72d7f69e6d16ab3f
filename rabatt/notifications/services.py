"""The one outbox for every e-mail: queue in the cause's transaction, send with no lock held.

A domain builds its own messages in ``<app>/emails.py`` and calls :func:`email_queue` inside the
transaction that causes the e-mail, so a crash after the commit loses nothing and a rollback
sends nothing. :func:`email_send` claims a row (a conditional UPDATE that commits at once),
sends while holding no database lock, then records the result. Retries with backoff,
suppression and the unsubscribe headers live here alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from rabatt.core import hooks
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import EmailStatus, OutboundEmail, Suppression

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a sender may hold a row before another may take it over (a crashed worker). Longer
# than the SMTP timeout (EMAIL_URL ?timeout=, default 10 s) with room to spare.
LEASE = timedelta(minutes=2)


def email_normalise(email: str) -> str:
    """Return the address as the outbox and the suppression list key it."""
    return email.strip().lower()


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt after ``attempts`` failures."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def email_queue(
    *,
    kind: str,
    dedup_key: str,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str = "en",
    marketing: bool = False,
    unsubscribe_path: str = "",
    on_result: str = "",
    hook_args: dict[str, Any] | None = None,
    send_after: datetime | None = None,
) -> OutboundEmail | None:
    """Record an e-mail to send once ``dedup_key``'s transaction commits; None if queued before.

    Call it inside the transaction of the change that causes the e-mail. ``context`` must be
    JSON: the message is rendered when it is sent, in ``locale``, with ``site_url`` added.
    """
    if on_result:
        hooks.subscribers(on_result)  # an undeclared topic fails here, not after sending
    with transaction.atomic():
        row, created = OutboundEmail.objects.get_or_create(dedup_key=dedup_key[:200], defaults={
            "kind": kind[:40], "to": email_normalise(to), "template": template,
            "context": context, "locale": locale[:8] or "en", "marketing": marketing,
            "unsubscribe_path": unsubscribe_path[:300], "on_result": on_result,
            "hook_args": hook_args or {}, "next_attempt_at": send_after or utcnow(),
        })
        if not created:
            return None
        row_id = row.pk
        transaction.on_commit(lambda: email_send_later(email_id=row_id, at=send_after))
    return row


def email_send_later(*, email_id: int, at: datetime | None = None) -> None:
    """Enqueue the sending task (the outbox row is the durable record; this is a wake-up)."""
    from rabatt.notifications.tasks import send_email

    try:
        if at is None:
            send_email.enqueue(email_id)
        elif send_email.get_backend().supports_defer:
            send_email.using(run_after=at).enqueue(email_id)
        # else: a backend that cannot wait (tests run tasks inline); the sweep sends it when due
    except Exception:
        # The broker is down: the row stays pending and the sweep enqueues it again.
        log.warning("could not enqueue e-mail %s; the outbox sweep will", email_id,
                    exc_info=True)


def _claim(email_id: int, now: datetime) -> bool:
    """Take the row for sending (pending and due, or a crashed sender's expired lease)."""
    free = (Q(status=EmailStatus.PENDING) & (Q(next_attempt_at__isnull=True)
                                             | Q(next_attempt_at__lte=now))) \
        | (Q(status=EmailStatus.SENDING) & Q(lease_until__lt=now))
    return bool(OutboundEmail.objects.filter(free, pk=email_id).update(
        status=EmailStatus.SENDING, lease_until=now + LEASE))


def email_send(*, email_id: int) -> str:
    """Send one queued e-mail unless it was sent or is not due; return what happened."""
    now = utcnow()
    with transaction.atomic():
        taken = _claim(email_id, now)
    if not taken:
        return "skipped"
    row = OutboundEmail.objects.get(pk=email_id)
    if not row.message_id:
        # Fixed before the first attempt, so a retry carries the same Message-ID.
        row.message_id = make_msgid(domain="rabatt.invalid")
        OutboundEmail.objects.filter(pk=row.pk).update(message_id=row.message_id)
    if row.marketing and suppressed(email=row.to):
        return _finish(row, EmailStatus.SUPPRESSED)
    try:
        message = email_message(row)
        message.send()
    except Exception as exc:  # SMTP, DNS, timeouts, a template error: retried with backoff
        attempts = row.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=row.pk, status=EmailStatus.SENDING).update(
            status=EmailStatus.FAILED if failed else EmailStatus.PENDING, attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:300], lease_until=None,
            next_attempt_at=None if failed else utcnow() + backoff(attempts))
        log.warning("e-mail %s (%s) failed, attempt %s: %s", row.pk, row.kind, attempts,
                    type(exc).__name__)
        if failed:
            row.attempts = attempts
            _tell(row, EmailStatus.FAILED)
            return EmailStatus.FAILED
        email_send_later(email_id=row.pk, at=utcnow() + backoff(attempts))
        return "retry"
    return _finish(row, EmailStatus.SENT)


def _finish(row: OutboundEmail, status: str) -> str:
    now = utcnow()
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=row.pk).update(
            status=status, attempts=row.attempts + (status == EmailStatus.SENT),
            sent_at=now if status == EmailStatus.SENT else None, last_error="",
            lease_until=None)
        row.sent_at = now
        _tell(row, status)
    return str(status)


def _tell(row: OutboundEmail, status: str) -> None:
    if row.on_result:
        hooks.publish(row.on_result, outcome=str(status), at=row.sent_at or utcnow(),
                      **row.hook_args)


def email_message(row: OutboundEmail) -> mail.EmailMultiAlternatives:
    """Render a queued e-mail in its language, with headers; no database writes."""
    site = settings.SITE_URL
    language = row.locale if row.locale in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    # Every link carries the language, so the pages it opens speak the e-mail's language.
    context = {**row.context, "site_url": site, "privacy_url": f"{site}/privacy/?lang={language}",
               "lang": language}
    headers = {"Message-ID": row.message_id or make_msgid(domain="rabatt.invalid")}
    if row.unsubscribe_path:
        url = f"{site}{row.unsubscribe_path}"
        context["unsubscribe_url"] = url
        # RFC 2369 and RFC 8058 one-click unsubscribe.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(language):
        # A subject is one line, whatever the context held.
        subject = " ".join(render_to_string(f"{row.template}.subject.txt", context).split())
        text = str(render_to_string(f"{row.template}.txt", context))
        try:
            html = str(render_to_string(f"{row.template}.html", context))
        except TemplateDoesNotExist:
            html = ""
    message = mail.EmailMultiAlternatives(subject=subject, body=text, to=[row.to],
                                          headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    return message


def outbox_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Enqueue again every due e-mail whose wake-up was lost; return how many.

    The outbox rows are the record; a task lost with a crashed worker or a broker outage is
    found here (scheduled every minute).
    """
    now = now or utcnow()
    due = OutboundEmail.objects.filter(
        (Q(status=EmailStatus.PENDING) & (Q(next_attempt_at__isnull=True)
                                          | Q(next_attempt_at__lte=now - timedelta(seconds=30))))
        | (Q(status=EmailStatus.SENDING) & Q(lease_until__lt=now)),
    ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    ids = list(due)
    for email_id in ids:
        email_send_later(email_id=email_id)
    return len(ids)


# --- suppression --------------------------------------------------------------------------

def suppressed(*, email: str) -> bool:
    """Whether marketing e-mail to this address is forbidden."""
    return Suppression.objects.filter(email_normalised=email_normalise(email)).exists()


def suppression_add(*, email: str, reason: str, detail: str = "") -> bool:
    """Never send marketing to ``email`` again; return False if it was suppressed already."""
    key = email_normalise(email)
    with transaction.atomic():
        _row, created = Suppression.objects.get_or_create(
            email_normalised=key, defaults={"reason": reason, "detail": detail[:300]})
        if created:
            OutboundEmail.objects.filter(to=key, marketing=True,
                                         status=EmailStatus.PENDING).update(
                status=EmailStatus.SUPPRESSED, next_attempt_at=None)
            hooks.publish("email.suppressed", email=key, reason=reason, detail=detail[:200])
    return created
