"""The consent ledger: every consent given or withdrawn, and the one-click unsubscribe."""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import DomainError, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.privacy.audit import audit_record
from rabatt.privacy.models import Consent, ConsentPurpose, Subject
from rabatt.privacy.subjects import subject_ensure_processable

# The version of the privacy notice (bump it when the text of the notice changes).
NOTICE_VERSION = "2025-08"
UNSUBSCRIBE_SALT = "rabatt.privacy.unsubscribe"


def consent_record(*, subject: Subject, purpose: str, given: bool, notice_version: str,
                   source: str, at: datetime | None = None) -> Consent:
    """Append a consent given or withdrawn. Withdrawing always works; giving needs a person
    whose data may be processed."""
    if purpose not in ConsentPurpose.values:
        raise DomainError(_("Unknown consent purpose."), code="unknown_purpose")
    if given:
        subject_ensure_processable(subject)
    return Consent.objects.create(subject=subject, purpose=purpose, given=given,
                                  notice_version=notice_version[:40], source=source[:40],
                                  at=at or utcnow())


def consent_given(*, subject: Subject, purpose: str) -> bool | None:
    """The latest choice for a purpose: True, False, or None if the person never chose."""
    row = Consent.objects.filter(subject=subject, purpose=purpose).order_by("-at", "-id").first()
    return None if row is None else row.given


def marketing_allowed(*, subject: Subject) -> bool:
    """May we send this person a marketing e-mail now? (Service e-mails need no consent.)"""
    return (subject.erased_at is None and subject.restricted_at is None
            and subject.objected_at is None
            and consent_given(subject=subject, purpose=ConsentPurpose.MARKETING) is True)


def unsubscribe_token(*, subject: Subject) -> str:
    return signing.dumps({"s": str(subject.pk)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_path(*, subject: Subject) -> str:
    """Return the one-click unsubscribe path for the outbox's ``unsubscribe_path``."""
    # The outbox turns it into the List-Unsubscribe headers (RFC 2369, RFC 8058).
    return f"/privacy/unsubscribe/{unsubscribe_token(subject=subject)}/"


def unsubscribe_subject(*, token: str) -> Subject:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound(_("This link is not valid."), code="link_invalid") from None
    subject = Subject.objects.filter(pk=data.get("s")).first()
    if subject is None:
        raise NotFound(_("This link is not valid."), code="link_invalid")
    return subject


def unsubscribe_apply(*, token: str, source: str = "unsubscribe_link") -> Subject:
    """Withdraw marketing consent (RFC 8058 one-click, or the confirm page); idempotent."""
    subject = unsubscribe_subject(token=token)
    if consent_given(subject=subject, purpose=ConsentPurpose.MARKETING) is not False:
        consent_record(subject=subject, purpose=ConsentPurpose.MARKETING, given=False,
                       notice_version=NOTICE_VERSION, source=source)
        audit_record(actor="consumer", action="consent_withdrawn", subject=subject,
                     what=ConsentPurpose.MARKETING)
    return subject
