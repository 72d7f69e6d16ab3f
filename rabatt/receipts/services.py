"""Store proof-of-purchase files safely: vetted, sealed, named by a random id."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rabatt.core import crypto
from rabatt.privacy.models import Subject
from rabatt.privacy.subjects import subject_seal, subject_unseal
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading import readability
from rabatt.receipts.safety import SafeFile, inspect_upload

log = logging.getLogger(__name__)


def _name(file_id: str) -> str:
    return f"receipts/{file_id[:2]}/{file_id}.sealed"


def _write(file_id: str, blob: bytes) -> None:
    # Through the configured storage: MEDIA_ROOT on local disk, or a private S3 bucket.
    name = _name(file_id)
    saved = default_storage.save(name, ContentFile(blob))
    if saved != name:  # ids are random; a clash would mean a second file under the same id
        default_storage.delete(saved)
        raise FileExistsError(name)


def _read(file_id: str) -> bytes:
    with default_storage.open(_name(file_id), "rb") as fh:
        return bytes(fh.read())


def _delete(file_id: str) -> None:
    # Deleting a name that is not there is no error on disk nor on S3.
    default_storage.delete(_name(file_id))


def measure_readability(data: bytes) -> dict[str, Any]:
    """Return the readability of an upload for storage (language-neutral: flags, no messages)."""
    try:
        found = readability(data).as_dict()
    except Exception:
        # Only advice: a picture the measurement cannot judge is still stored and read later,
        # so the upload is never refused (or answered with an error) because of it.
        log.warning("readability could not be measured", exc_info=True)
        return {}
    found.pop("warnings", None)
    return found


def receipt_vet(*, data: bytes, name: str = "", content_type: str = "") -> SafeFile:
    """Vet an upload; raises UploadRefused with a code and a translated message."""
    return inspect_upload(data, declared_name=name, declared_type=content_type)


def receipt_store(
    *,
    safe: SafeFile,
    subject: Subject | None = None,
    draft_key: bytes | None = None,
    draft_id: int | None = None,
    claim_id: int | None = None,
    added_during: str = "submission",
) -> ReceiptFile:
    """Seal and write a vetted file, then record it; the file is on disk before the row."""
    receipt = ReceiptFile(
        subject=subject, draft_id=draft_id, claim_id=claim_id, content_type=safe.content_type,
        page_count=safe.page_count, width=safe.width, height=safe.height, size=safe.size,
        sha256=safe.sha256, original_sha256=safe.original_sha256,
        display_name=safe.display_name, added_during=added_during,
        readability=measure_readability(safe.data),
    )
    if subject is not None:
        blob = subject_seal(subject, safe.data)
    elif draft_key is not None:
        blob = crypto.seal(draft_key, safe.data)
    else:
        raise ValueError("a receipt needs a subject or a draft key to seal it")
    _write(str(receipt.id), blob)
    receipt.save()
    return receipt


def receipt_read(*, receipt: ReceiptFile, draft_key: bytes | None = None) -> bytes:
    """Return the plain bytes of a stored file."""
    blob = _read(str(receipt.id))
    if receipt.subject_id is not None:
        return subject_unseal(receipt.subject, blob)  # type: ignore[arg-type]
    if draft_key is None:
        raise ValueError("a draft file needs its draft key")
    return crypto.unseal(draft_key, blob)


def receipt_copy_to_claim(
    *, receipt: ReceiptFile, draft_key: bytes, subject: Subject, claim_id: int
) -> ReceiptFile:
    """Copy a draft's file to its claim under the claimant's key (the draft copy stays until
    the submission commits, so a failed submission loses nothing)."""
    plain = crypto.unseal(draft_key, _read(str(receipt.id)))
    copy = ReceiptFile(
        subject=subject, claim_id=claim_id, content_type=receipt.content_type,
        page_count=receipt.page_count, width=receipt.width, height=receipt.height,
        size=receipt.size, sha256=receipt.sha256, original_sha256=receipt.original_sha256,
        display_name=receipt.display_name, added_during=receipt.added_during,
        readability=receipt.readability,
    )
    _write(str(copy.id), subject_seal(subject, plain))
    copy.save()
    return copy


def receipt_delete(*, receipt: ReceiptFile) -> None:
    """Delete a file and its row (a draft's removed upload)."""
    _delete(str(receipt.id))
    receipt.delete()


def receipt_files_discard(*, receipts: Iterable[ReceiptFile | Any]) -> int:
    """Delete the sealed files of receipts (or receipt ids) whose rows are gone or going.

    For a submission that rolled back, and for erasure: the rows go with the database, the
    files must go from the disk. Returns how many were asked for.
    """
    count = 0
    for receipt in receipts:
        file_id = receipt.pk if isinstance(receipt, ReceiptFile) else receipt
        _delete(str(file_id))
        count += 1
    return count
