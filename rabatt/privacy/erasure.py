"""Erasure (GDPR Art. 17): every row about a person goes or is pseudonymised, field by field as
the data map declares, and the person's key is destroyed (crypto-shredding)."""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from rabatt.claims.models import Claim, ClaimDraft, ClaimEvent, ClaimStatus
from rabatt.claims.transitions import PAYMENT_PENDING
from rabatt.core.timeutil import utcnow
from rabatt.privacy.audit import audit_record
from rabatt.privacy.classification import Erasure, ModelMap
from rabatt.privacy.holdings import claim_path, subject_claims, subject_querysets
from rabatt.privacy.models import Consent, LegalHold, PrivacyRequest, Subject
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_files_discard

# Removed before the map is walked: their files and keys need more than a row delete, and the
# Subject itself is what is being erased.
_HANDLED_FIRST = ("privacy.Subject", "receipts.ReceiptFile", "claims.ClaimDraft")


def payment_in_flight(*, subject: Subject) -> bool:
    """Tell whether a payment to the person may be under way (approved, not yet paid)."""
    return subject_claims(subject=subject).filter(status__in=PAYMENT_PENDING).exists()


def held_claim_ids(*, subject: Subject, hold_in_flight: bool = False) -> set[int]:
    """Return the claims kept pseudonymised: paid, held, or (if decided so) paying out."""
    claims = subject_claims(subject=subject)
    statuses = {ClaimStatus.PAID, *PAYMENT_PENDING} if hold_in_flight else {ClaimStatus.PAID}
    held = set(claims.filter(status__in=statuses).values_list("pk", flat=True))
    held |= set(ClaimEvent.objects.filter(claim__subject=subject, kind="mark_paid")
                .values_list("claim_id", flat=True))
    held |= set(LegalHold.objects.filter(claim__subject=subject, released_at__isnull=True)
                .values_list("claim_id", flat=True))
    return held


def subject_erase(*, subject: Subject, request: PrivacyRequest | None = None,
                  hold_in_flight: bool = False,
                  actor: AbstractBaseUser | str = "consumer") -> dict[str, Any]:
    """Erase a person (GDPR Art. 17) field by field as the data map declares."""
    # Rows under a legal obligation (paid claims) or a legal hold are kept, pseudonymised and
    # restricted; everything else is deleted. Receipts and bank details are destroyed with the
    # person's data key (crypto-shredding), so copies in backups cannot be read either.
    deleted: Counter[str] = Counter()
    pseudonymised: Counter[str] = Counter()
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.erased_at is not None:
            return {"already_erased": True}
        held = held_claim_ids(subject=subject, hold_in_flight=hold_in_flight)
        rows_by_email = dict(request.outcome.get("email_rows", {})) if request else {}
        claim_ids = list(subject_claims(subject=subject).values_list("pk", flat=True))
        receipts = ReceiptFile.objects.filter(
            models.Q(claim_id__in=claim_ids) | models.Q(draft__claim_id__in=claim_ids)
            | models.Q(subject=subject))
        file_ids = list(receipts.values_list("pk", flat=True))
        deleted["files"] = len(file_ids)
        deleted["receipts.ReceiptFile"] = receipts.delete()[1].get("receipts.ReceiptFile", 0)
        # The sealed files go from disk once the rows are gone for good; the key is destroyed
        # in this transaction, so a file left behind by a crash cannot be read anyway.
        transaction.on_commit(partial(receipt_files_discard, receipts=file_ids))
        deleted["claims.ClaimDraft"] = ClaimDraft.objects.filter(
            claim_id__in=claim_ids).delete()[1].get("claims.ClaimDraft", 0)
        for entry, qs in subject_querysets(subject=subject, rows_by_email=rows_by_email):
            if entry.model in _HANDLED_FIRST:
                continue
            fields = {n: d for n, d in entry.personal_fields().items() if d.of == "subject"}
            if all(d.erasure == Erasure.KEEP for d in fields.values()):
                continue  # proof we must keep (requests, audit, suppression list)
            to_claim = claim_path(entry)
            destroy = any(d.erasure in (Erasure.DELETE, Erasure.SHRED) for d in fields.values())
            keep_qs = qs.filter(**{f"{to_claim}__in": held}) if to_claim else qs.none()
            drop_qs = qs.exclude(**{f"{to_claim}__in": held}) if to_claim else qs
            if destroy:
                drop_qs = qs
                keep_qs = qs.none()
            updates = {n: _pseudonym(entry, n, d.pseudonym) for n, d in fields.items()
                       if d.erasure == Erasure.PSEUDONYMISE}
            if entry.model == "claims.Claim":
                LegalHold.objects.filter(claim__in=drop_qs, released_at__isnull=False).delete()
                for claim in list(drop_qs):
                    try:
                        with transaction.atomic():
                            claim.delete()
                        deleted[entry.model] += 1
                    except ProtectedError:
                        # Something (e.g. an access log) must keep pointing at it: keep the
                        # row, pseudonymised and restricted like a paid claim.
                        held.add(claim.pk)
                keep_qs = Claim.objects.filter(pk__in=held, subject=subject)
            else:
                try:
                    with transaction.atomic():
                        deleted[entry.model] += drop_qs.delete()[1].get(entry.model, 0)
                except ProtectedError:
                    # Other people's rows point at these (e.g. friends of a referral): keep
                    # them, emptied of what the map lets us remove.
                    keep_qs = drop_qs
            if updates:
                pseudonymised[entry.model] += keep_qs.update(**updates)
        Consent.objects.filter(subject=subject).delete()
        subject.wrapped_key = None
        subject.email_digest = ""
        subject.erased_at = utcnow()
        subject.restricted_at = subject.restricted_at or subject.erased_at
        subject.save(update_fields=["wrapped_key", "email_digest", "erased_at", "restricted_at"])
        audit_record(actor=actor, action="subject_erased", subject=subject,
                     what=f"kept {len(held)} claim(s)")
    return {"erased": True, "key_destroyed": True, "kept_claims": len(held),
            "deleted": {k: v for k, v in deleted.items() if v},
            "pseudonymised": {k: v for k, v in pseudonymised.items() if v}}


def _pseudonym(entry: ModelMap, name: str, value: Any) -> Any:
    if value is not None:
        return value
    field = apps.get_model(entry.model)._meta.get_field(name)
    return None if field.null else ""
