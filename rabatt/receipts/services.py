"""Store proof-of-purchase files safely: vetted, sealed, named by a random id."""

from __future__ import annotations

import errno
import logging
import os
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabatt.core import crypto
from rabatt.core.errors import ServiceUnavailable
from rabatt.core.pdf import PdfPage
from rabatt.privacy.models import Subject
from rabatt.privacy.subjects import subject_seal, subject_unseal
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading import readability
from rabatt.receipts.safety import SafeFile, inspect_upload

log = logging.getLogger(__name__)


def _name(file_id: str) -> str:
    return f"receipts/{file_id[:2]}/{file_id}.sealed"


# The disk is full, over quota, read-only or not ours to write: an outage, not the client's fault.
STORAGE_OUTAGE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _outage(exc: Exception) -> ServiceUnavailable:
    log.error("cannot store an upload: %s", exc.__class__.__name__)
    return ServiceUnavailable(
        _("We cannot store files just now. Please try again in a few minutes."),
        code="storage_unavailable")


def _write_local(path: Path, blob: bytes) -> None:
    # Written to a temporary name, synced, then renamed: an acknowledged upload survives a crash.
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Readable by the service alone (0600), like the storage's own files.
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _write(file_id: str, blob: bytes) -> None:
    # Through the configured storage: MEDIA_ROOT on local disk, or a private S3 bucket.
    name = _name(file_id)
    try:
        if isinstance(default_storage, FileSystemStorage):
            _write_local(Path(default_storage.path(name)), blob)
            return
        saved = default_storage.save(name, ContentFile(blob))
    except OSError as exc:
        if exc.errno not in STORAGE_OUTAGE:
            raise
        raise _outage(exc) from exc
    except Exception as exc:
        # An object store that is away or refusing (botocore's errors): an outage as well.
        if not type(exc).__module__.startswith(("botocore", "boto3", "urllib3")):
            raise
        raise _outage(exc) from exc
    if saved != name:  # ids are random; a clash would mean a second file under the same id
        default_storage.delete(saved)
        raise FileExistsError(name)


def _read(file_id: str) -> bytes:
    with default_storage.open(_name(file_id), "rb") as fh:
        return bytes(fh.read())


def _delete(file_id: str) -> None:
    # Deleting a name that is not there is no error on disk nor on S3.
    default_storage.delete(_name(file_id))


def measure_readability(data: bytes, *, pdf_page: PdfPage | None = None) -> dict[str, Any]:
    """Return the readability of an upload for storage (language-neutral: flags, no messages)."""
    try:
        found = readability(data, pdf_page=pdf_page).as_dict()
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
        readability=measure_readability(safe.data, pdf_page=safe.pdf_page),
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
        readability=receipt.readability, draft_reading=receipt.draft_reading,
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


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def receipt_orphans_remove(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete stored files that no receipt row names (a process killed mid-upload); return
    how many.

    Only files older than ``older_than`` go: a younger one may belong to a transaction that
    has not committed yet. Works through the storage API, on local disk and on S3 alike.
    """
    if not default_storage.exists("receipts") and isinstance(default_storage, FileSystemStorage):
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    folders, _files = default_storage.listdir("receipts")
    for folder in folders:
        candidates: dict[str, str] = {}
        for filename in default_storage.listdir(f"receipts/{folder}")[1]:
            name = f"receipts/{folder}/{filename}"
            try:
                if default_storage.get_modified_time(name) >= cutoff:
                    continue
            except (FileNotFoundError, OSError):
                continue
            stem, _dot, suffix = filename.partition(".")
            if suffix == "tmp":
                default_storage.delete(name)
                removed += 1
            elif suffix == "sealed" and _is_uuid(stem):
                candidates[stem] = name
        if not candidates:
            continue
        known = {str(pk) for pk in ReceiptFile.objects.filter(
            pk__in=list(candidates)).values_list("pk", flat=True)}
        for stem, name in candidates.items():
            if stem not in known:
                default_storage.delete(name)
                removed += 1
    if removed:
        log.warning("removed %s orphan upload files", removed)
    return removed
