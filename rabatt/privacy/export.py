"""The copy of everything we hold about a person: a ZIP with data.json and their files."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from rabatt.core import crypto
from rabatt.core.timeutil import utcnow
from rabatt.privacy.models import PrivacyRequest, Subject

FORMAT = "rabatt-export/1"


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
    """Everything about the person as a JSON-ready dict, and their files (decrypted)."""
    from rabatt.claims.models import BankDetails
    from rabatt.privacy.services import consent_backfill_from_claims, subject_querysets
    from rabatt.receipts.models import ReceiptFile
    from rabatt.receipts.services import receipt_read

    consent_backfill_from_claims(subject=subject)
    email_rows = request.outcome.get("email_rows", {}) if request else {}
    data: dict[str, list[dict[str, Any]]] = {}
    for entry, qs in sorted(subject_querysets(subject=subject, email_rows=email_rows),
                            key=lambda pair: pair[0].model):
        rows = [_row(obj) for obj in qs.order_by("pk")]
        if rows:
            data[entry.model] = rows
    bank = []
    for details in BankDetails.objects.filter(claim__subject=subject).select_related("claim"):
        from rabatt.privacy.subjects import subject_unseal

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
    document = {
        "format": FORMAT, "generated_at": utcnow(), "subject_id": str(subject.pk),
        "about": "Everything Rabatt holds about you: one list of records per table, your "
                 "bank details decrypted (as you gave them, and as sent to the bank with each "
                 "payment), and your uploaded files in files/.",
        "data": data, "bank_details": bank, "payments": payments, "files": listing,
    }
    return document, files


def _payments(subject: Subject) -> list[dict[str, Any]]:
    """The creditor details each payment was made with (sealed with the batch's file key)."""
    from rabatt.payouts import sealing
    from rabatt.payouts.models import Payment

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
    document, files = subject_export(subject=subject, request=request)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2,
                                                 ensure_ascii=False))
        for name, blob in files:
            archive.writestr(name, blob)
    return out.getvalue()
