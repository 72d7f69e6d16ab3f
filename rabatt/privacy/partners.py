"""Advertising partners get keyed hashes of consenting claimants' addresses, never addresses."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets

from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import Claim
from rabatt.core import crypto
from rabatt.core.errors import DomainError
from rabatt.privacy.audit import audit_record
from rabatt.privacy.consent import consent_given
from rabatt.privacy.models import ConsentPurpose, Subject
from rabatt.privacy.subjects import email_normalise

PARTNER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")


def partner_key(*, partner: str) -> bytes:
    """Return the partner's own random key from the key directory, creating it once."""
    # A key per partner: two partners cannot match their lists, and nobody can reverse a hash
    # by hashing guesses without the key.
    if not PARTNER_NAME.fullmatch(partner):
        raise DomainError(_("A partner name is lower-case letters, digits, - and _."),
                          code="invalid_partner")
    directory = crypto.keys_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"partner-{partner}.key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def partner_email_hash(*, partner: str, email: str) -> str:
    """Return the partner's keyed hash (HMAC-SHA256) of a normalised address."""
    return hmac.new(partner_key(partner=partner), email_normalise(email).encode(),
                    hashlib.sha256).hexdigest()


def partner_export(*, partner: str, campaign_slug: str) -> list[str]:
    """Return the keyed hashes of a campaign's claimants who consented to partner advertising."""
    # Restricted, objecting and erased people are left out whatever their ledger says.
    hashes = set()
    subjects = Subject.objects.filter(claims__campaign__slug=campaign_slug, erased_at__isnull=True,
                                      restricted_at__isnull=True,
                                      objected_at__isnull=True).distinct()
    for subject in subjects:
        if consent_given(subject=subject, purpose=ConsentPurpose.PARTNER_ADVERTISING) is not True:
            continue
        for email in Claim.objects.filter(subject=subject).values_list("email", flat=True):
            hashes.add(partner_email_hash(partner=partner, email=email))
    audit_record(actor="system", action="partner_export", what=f"{partner}: {len(hashes)}")
    return sorted(hashes)
