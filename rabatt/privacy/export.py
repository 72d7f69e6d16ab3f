"""The copy of everything we hold about a person: a ZIP with data.json and their files."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from rabatt.claims.models import BankDetails, Claim
from rabatt.core import crypto
from rabatt.core.i18n import active_language, supported_language
from rabatt.core.timeutil import utcnow
from rabatt.payouts import sealing
from rabatt.payouts.models import Payment
from rabatt.privacy.holdings import subject_querysets
from rabatt.privacy.models import Consent, ConsentPurpose, PrivacyRequest, Subject
from rabatt.privacy.subjects import subject_unseal
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_read

FORMAT = "rabatt-export/1"


def consent_backfill_from_claims(*, subject: Subject) -> int:
    """Write the ledger row of a marketing choice made on a claim that never reached it."""
    if Consent.objects.filter(subject=subject, purpose=ConsentPurpose.MARKETING).exists():
        return 0
    claim = Claim.objects.filter(subject=subject).order_by("-submitted_at").first()
    if claim is None:
        return 0
    Consent.objects.create(subject=subject, purpose=ConsentPurpose.MARKETING,
                           given=claim.marketing_consent, notice_version=claim.terms_version,
                           source="claim_form", at=claim.submitted_at)
    return 1


def _row(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        # Secrets and their hashes say nothing to the person and would help an attacker.
        if field.get_internal_type() == "BinaryField" or field.name.endswith("_hash") \
                or field.name == "hash":
            continue
        out[field.name] = field.value_from_object(obj)
    return out


def subject_export(*, subject: Subject, request: PrivacyRequest | None = None
                   ) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Return everything about the person as a JSON-ready dict, and their files decrypted."""
    consent_backfill_from_claims(subject=subject)
    rows_by_email = request.outcome.get("email_rows", {}) if request else {}
    data: dict[str, list[dict[str, Any]]] = {}
    for entry, qs in sorted(subject_querysets(subject=subject, rows_by_email=rows_by_email),
                            key=lambda pair: pair[0].model):
        rows = [_row(obj) for obj in qs.order_by("pk")]
        if rows:
            data[entry.model] = rows
    bank = []
    for details in BankDetails.objects.filter(claim__subject=subject).select_related("claim"):
        plain = json.loads(subject_unseal(subject, bytes(details.sealed)))
        bank.append({"claim": details.claim.reference, **plain})
    payments = _payments(subject)
    files: list[tuple[str, bytes]] = []
    listing = []
    for receipt in ReceiptFile.objects.filter(claim__subject=subject).select_related(
            "claim", "subject"):
        assert receipt.claim is not None
        name = f"files/{receipt.claim.reference}/{receipt.pk}-{receipt.display_name}"
        files.append((name, receipt_read(receipt=receipt)))
        listing.append({"claim": receipt.claim.reference, "path": name,
                        "content_type": receipt.content_type})
    # The person reads the copy in the language they asked in, whatever page built it.
    language = supported_language(request.locale if request else None) or active_language()
    with translation.override(language):
        about = _("Everything Rabatt holds about you: one list of records per table, your bank "
                  "details decrypted (as you gave them, and as sent to the bank with each "
                  "payment), and your uploaded files in files/.")
    document = {
        "format": FORMAT, "generated_at": utcnow(), "subject_id": str(subject.pk),
        "language": language, "about": about,
        "data": data, "bank_details": bank, "payments": payments, "files": listing,
    }
    return document, files


def _payments(subject: Subject) -> list[dict[str, Any]]:
    """Return the creditor details each payment was sent with (sealed with the file key)."""
    out: list[dict[str, Any]] = []
    rows = Payment.objects.filter(claim__subject=subject).select_related("batch", "claim")
    for payment in rows.order_by("pk"):
        sealed = bytes(payment.creditor_sealed)
        if not sealed:
            continue  # emptied once the bank file was written, or pseudonymised
        try:
            aead = sealing.file_aead(bytes(payment.batch.wrapped_key),
                                     bytes(payment.batch.sealed_file_key))
            creditor = json.loads(sealing.unseal_small(aead, sealed, payment.end_to_end_id))
        except (sealing.SealError, crypto.KeyError_, ValueError):
            creditor = None
        out.append({"claim": payment.claim.reference, "end_to_end_id": payment.end_to_end_id,
                    "creditor": creditor})
    return out


def subject_export_zip(*, subject: Subject, request: PrivacyRequest | None = None) -> bytes:
    """Return the ZIP of :func:`subject_export`: ``data.json`` and the files."""
    document, files = subject_export(subject=subject, request=request)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2,
                                                 ensure_ascii=False))
        for name, blob in files:
            archive.writestr(name, blob)
    return out.getvalue()
