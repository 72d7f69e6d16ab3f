"""Restriction (GDPR Art. 18) and objection (Art. 21): the data stays, its use stops."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import Suppression
from rabatt.notifications.services import suppression_add
from rabatt.privacy.consent import (
    NOTICE_VERSION,
    consent_given,
    consent_record,
    unsubscribe_apply,
)
from rabatt.privacy.holdings import subject_claim_emails
from rabatt.privacy.models import ConsentPurpose, Subject


def subject_restrict(*, subject: Subject) -> dict[str, Any]:
    """Keep the person's data but stop every processing of it (GDPR Art. 18)."""
    updated = Subject.objects.filter(pk=subject.pk, restricted_at__isnull=True).update(
        restricted_at=utcnow())
    subject.refresh_from_db()
    return {"restricted": True, "already": not updated}


def subject_object(*, subject: Subject) -> dict[str, Any]:
    """Withdraw every consent, record the objection (GDPR Art. 21), suppress the addresses."""
    # ``objected_at`` stops the legitimate-interest processing that can stop (partner exports).
    withdrawn = []
    for purpose in ConsentPurpose.values:
        if consent_given(subject=subject, purpose=purpose) is not False:
            consent_record(subject=subject, purpose=purpose, given=False,
                           notice_version=NOTICE_VERSION, source="privacy_request")
            withdrawn.append(purpose)
    Subject.objects.filter(pk=subject.pk, objected_at__isnull=True).update(objected_at=utcnow())
    subject.refresh_from_db()
    suppressed = sum(
        suppression_add(email=email, reason=Suppression.Reason.UNSUBSCRIBED,
                        detail="privacy objection")
        for email in sorted(subject_claim_emails(subject=subject)))
    return {"consents_withdrawn": withdrawn, "objected": True, "suppressed": suppressed}


def marketing_unsubscribe(*, token: str) -> Subject:
    """The one-click unsubscribe: withdraw marketing consent and stop marketing e-mail already
    queued to the person's addresses (the outbox checks the suppression list)."""
    with transaction.atomic():
        subject = unsubscribe_apply(token=token)
        for email in sorted(subject_claim_emails(subject=subject)):
            suppression_add(email=email, reason=Suppression.Reason.UNSUBSCRIBED,
                            detail="unsubscribe link")
    return subject
