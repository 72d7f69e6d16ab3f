"""The data subject: who a person is to us (a keyed hash), their data key, and whether we may
process their data at all. The privacy core: every app below the rights workflows uses it."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rabatt.core import crypto
from rabatt.core.errors import DomainError
from rabatt.privacy.models import Subject


def email_normalise(email: str) -> str:
    """Lower-case and trim an address; providers' dot and plus rules are applied elsewhere."""
    return email.strip().lower()


def email_digest(email: str) -> str:
    """Return the keyed hash used to find a person by e-mail."""
    key = hashlib.sha256(b"rabatt-email-digest:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, email_normalise(email).encode(), hashlib.sha256).hexdigest()


def subject_for_email(*, email: str) -> Subject:
    """Return the person with this e-mail, creating them (and their data key) if new."""
    digest = email_digest(email)
    subject = Subject.objects.filter(email_digest=digest, erased_at__isnull=True).first()
    if subject is None:
        subject = Subject.objects.create(email_digest=digest, wrapped_key=crypto.data_key_new())
    return subject


def subject_find(*, email: str) -> Subject | None:
    """Return the (not erased) person with this e-mail, if we know them; never creates one."""
    return Subject.objects.filter(email_digest=email_digest(email),
                                  erased_at__isnull=True).first()


def subject_ensure_processable(subject: Subject) -> None:
    """Refuse to process the data of a restricted or erased person (GDPR Art. 18)."""
    if subject.erased_at is not None or subject.restricted_at is not None:
        raise DomainError(
            _("Processing of this person's data is restricted."), code="processing_restricted",
            status=409,
        )


def subject_seal(subject: Subject, data: bytes) -> bytes:
    if not subject.wrapped_key:
        raise DomainError(_("This person's data has been erased."), code="erased", status=410)
    return crypto.seal(bytes(subject.wrapped_key), data)


def subject_unseal(subject: Subject, token: bytes) -> bytes:
    if not subject.wrapped_key:
        raise DomainError(_("This person's data has been erased."), code="erased", status=410)
    return crypto.unseal(bytes(subject.wrapped_key), bytes(token))
