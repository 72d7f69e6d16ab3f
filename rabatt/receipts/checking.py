"""Read a claim's receipts after upload, check them against the claim, find duplicates.

The heavy work (OCR) runs in a background task per file, outside any transaction; only the short
writes of its results lock rows. Each step re-reads the state it needs, so a task that runs twice
or late does no harm.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import get_global
from django.db import transaction

from rabatt.campaigns.models import Product, Retailer
from rabatt.campaigns.selectors import campaign_rules
from rabatt.claims.models import Claim, ClaimDraft, ClaimEvent, ClaimLine
from rabatt.claims.services import claim_event_record
from rabatt.core import hooks
from rabatt.core.timeutil import utcnow
from rabatt.receipts.models import CheckStatus, ReadingStatus, ReceiptCheck, ReceiptFile
from rabatt.receipts.reading import (
    DocumentError,
    Extraction,
    FieldCheck,
    ProductRef,
    RetailerRef,
    UnsupportedDocument,
    perceptual_hash,
    text_fingerprint,
    verify,
)
from rabatt.receipts.reading.document import documents_dump, documents_load
from rabatt.receipts.reading.fingerprint import hash_bands, to_signed
from rabatt.receipts.reading.pipeline import (
    extract_readings,
    read_documents,
    read_receipt,
    reading_settings,
)
from rabatt.receipts.schemas import DUPLICATES_ADAPTER, FIELDS_ADAPTER
from rabatt.receipts.selectors import DuplicateHit, claim_duplicates
from rabatt.receipts.services import measure_readability, receipt_read

log = logging.getLogger(__name__)

# Tesseract language of each participating country; English is always added, because receipts
# mix in English words ("TOTAL", "VAT", card slips).
COUNTRY_LANGUAGES = {
    "NO": "nor", "SE": "swe", "DK": "dan", "FI": "fin", "DE": "deu", "AT": "deu", "CH": "deu",
    "FR": "fra", "BE": "fra", "LU": "fra", "NL": "nld", "IT": "ita", "ES": "spa", "PL": "pol",
    "IE": "eng", "GB": "eng",
}
FIELDS = ("retailer", "date", "total", "currency")
# The fields that must all be verified before a claim may pass without a person looking.
REQUIRED_FIELDS = ("retailer", "date", "total")
RISK_FLAGS = {"exact": "duplicate_receipt", "near": "near_duplicate_receipt",
              "text": "same_purchase_elsewhere"}
_DONE = (ReadingStatus.DONE, ReadingStatus.FAILED, ReadingStatus.UNSUPPORTED)
_RANK = {"verified": 0, "mismatch": 1, "unreadable": 2}


@functools.cache
def installed_languages() -> frozenset[str]:
    """Return the Tesseract languages installed on this machine."""
    binary = shutil.which("tesseract")
    if binary is None:
        return frozenset()
    try:
        out = subprocess.run(  # noqa: S603
            [binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def languages_for(country: str) -> str:
    """Return the Tesseract languages for receipts from this country (those installed)."""
    wanted = [COUNTRY_LANGUAGES.get(country.upper(), "eng"), "eng"]
    have = installed_languages()
    chosen = [lang for lang in dict.fromkeys(wanted) if not have or lang in have]
    return "+".join(chosen or ["eng"])


def local_purchase_date(claim: Claim) -> date:
    """Return the purchase date as printed in the shop's country (receipts show local dates)."""
    zones = get_global("territory_zones").get(claim.purchase_country.upper()) or ["UTC"]
    return claim.purchased_at.astimezone(ZoneInfo(zones[0])).date()


# --- reading one file ----------------------------------------------------------------------

def _retailer_refs(retailers: Iterable[Retailer]) -> list[RetailerRef]:
    return [RetailerRef(r.name, tuple(str(a) for a in r.aliases or ()), key=r.code)
            for r in retailers]


def _product_names(product: Product) -> tuple[str, ...]:
    names = product.name.values() if isinstance(product.name, dict) else [str(product.name)]
    return tuple(dict.fromkeys([*map(str, names), *map(str, product.aliases or ())])) or (
        product.code,)


def _claimed_total(lines: Sequence[ClaimLine]) -> Decimal:
    return sum((line.price * line.quantity for line in lines), Decimal("0.00"))


def unrotate(box: list[float], width: float, height: float,
             rotation: int) -> tuple[list[float], float, float]:
    """Map a box read on a page turned clockwise by ``rotation`` back onto the upload as stored.

    OCR turns a sideways photo upright before reading; the desk shows the photo as uploaded, so
    the evidence must be drawn where the line is on that picture. Returns the box
    ``[page, x0, y0, x1, y1]`` and the upload's page width and height.
    """
    page, x0, y0, x1, y1 = box
    turn = rotation % 360
    if turn == 180:
        return [page, width - x1, height - y1, width - x0, height - y0], width, height
    if turn == 90:
        return [page, y0, width - x1, y1, width - x0], height, width
    if turn == 270:
        return [page, height - y1, x0, height - y0, x1], height, width
    return [page, x0, y0, x1, y1], width, height


def _evidence(check: FieldCheck, extraction: Extraction, file_id: str) -> dict[str, Any] | None:
    if check.evidence is None:
        return None
    box = check.evidence.box
    document = extraction.document
    pages = document.pages
    page = next((p for p in pages if p.index == box.page), pages[0] if pages else None)
    if page is None:
        return None
    coords, width, height = unrotate(box.as_list(), page.width, page.height,
                                     document.rotation if document.source == "ocr" else 0)
    return {"file": file_id, "page": box.page, "box": coords, "text": check.evidence.text,
            "page_width": width, "page_height": height}


def _field(check: FieldCheck, extraction: Extraction, file_id: str) -> dict[str, Any]:
    return {"entered": check.expected, "read": check.found, "status": check.status,
            "confidence": round(check.confidence, 3), "file": file_id,
            "evidence": _evidence(check, extraction, file_id)}


def _price_line_check(extraction: Extraction, lines: Sequence[ClaimLine],
                      total: Decimal) -> FieldCheck | None:
    """Verify the price when the receipt holds more than the product: every claimed line's
    price must be printed on a line that names that product."""
    if not lines:
        return None
    found = []
    for line in lines:
        match = next((m for m in extraction.products
                      if m.product.key == line.product.code and m.price is not None
                      and m.price in (line.price, line.price * line.quantity)), None)
        if match is None:
            return None
        found.append(match)
    best = found[0]
    return FieldCheck("verified", str(total), str(best.price), best.confidence, best.line)


def _verification(extraction: Extraction, claim: Claim, retailers: Sequence[Retailer],
                  file_id: str) -> dict[str, Any]:
    lines = list(claim.lines.select_related("product"))
    own = [r for r in retailers if r.pk == claim.retailer_id]
    others = [r for r in retailers if r.pk != claim.retailer_id
              and r.name.casefold() not in {o.name.casefold() for o in own}]
    total = _claimed_total(lines)
    result = verify(extraction, retailer=_retailer_refs(own), date=local_purchase_date(claim),
                    total=total, currency=claim.currency, other_retailers=_retailer_refs(others))
    checks = {"retailer": result.retailer, "date": result.date, "total": result.total,
              "currency": result.currency}
    if result.total.status != "verified":
        # A receipt with other goods on it: the product's own price line is the evidence.
        priced = _price_line_check(extraction, lines, total)
        if priced is not None:
            checks["total"] = priced
    return {name: _field(check, extraction, file_id)
            for name, check in checks.items() if check is not None}


def _fail(receipt_id: str, status: str, error: str) -> None:
    ReceiptFile.objects.filter(pk=receipt_id).update(
        reading_status=status, reading_error=error[:200], read_at=utcnow())


def receipt_read_and_check(*, receipt_id: str, force: bool = False) -> ReceiptFile | None:
    """Read one claim file (OCR, extraction, fingerprints) and check it against its claim."""
    receipt = (ReceiptFile.objects.select_related("claim__campaign", "subject")
               .filter(pk=receipt_id).first())
    if receipt is None or receipt.claim is None:
        return None  # drafts are read once they belong to a claim; deleted files not at all
    if receipt.reading_status in _DONE and not force:
        return receipt
    claim = receipt.claim
    subject = receipt.subject
    if subject is None or subject.erased_at is not None or subject.restricted_at is not None:
        _fail(receipt_id, ReadingStatus.FAILED, "processing_restricted")
        return None
    ReceiptFile.objects.filter(pk=receipt_id).update(reading_status=ReadingStatus.READING)
    started = time.perf_counter()
    try:
        data = receipt_read(receipt=receipt)
    except (OSError, ValueError) as exc:
        log.warning("receipt %s could not be opened: %s", receipt_id, exc)
        _fail(receipt_id, ReadingStatus.FAILED, "file_unavailable")
        return None
    retailers = list(claim.campaign.retailers.all())
    products = _product_refs(claim.campaign_id)
    languages = languages_for(claim.purchase_country)
    try:
        kept = _kept_readings(receipt, languages)
        if kept is not None:
            # Read while the claim was a draft, with these very settings: extract again from
            # what was read (the rules may differ now), never read the page a second time.
            extraction = extract_readings(kept, retailers=_retailer_refs(retailers),
                                          products=products, currency_hint=claim.currency)
        else:
            extraction = read_receipt(
                data, content_type=receipt.content_type, languages=languages,
                retailers=_retailer_refs(retailers), products=products,
                currency_hint=claim.currency,
            )
        phash = perceptual_hash(data)
    except UnsupportedDocument:
        _fail(receipt_id, ReadingStatus.UNSUPPORTED, "unsupported_document")
        return None
    except DocumentError as exc:
        _fail(receipt_id, ReadingStatus.FAILED, f"document_error: {exc}")
        return None
    except Exception:
        # A file that breaks the reader must not break the claim: it goes to a person, and the
        # sweep does not retry it for ever.
        log.exception("receipt %s could not be read", receipt_id)
        _fail(receipt_id, ReadingStatus.FAILED, "reader_error")
        return None
    file_id = str(receipt.pk)
    receipt.verification = _verification(extraction, claim, retailers, file_id)
    # Verifying may read key lines again (only for fields the first reading did not confirm);
    # store everything that was read.
    extraction = extraction.complete()
    found = extraction.as_dict()
    found["pages"] = [{"index": p.index, "width": p.width, "height": p.height}
                      for p in extraction.document.pages]
    retailer = extraction.retailer.value
    receipt.extraction = found
    receipt.text_fingerprint = text_fingerprint(
        retailer=retailer.name if retailer else None, purchase_date=extraction.date.value,
        total=extraction.total.value, receipt_number=extraction.receipt_number.value,
    ) or ""
    receipt.phash = to_signed(phash)
    (receipt.phash_band0, receipt.phash_band1, receipt.phash_band2,
     receipt.phash_band3) = hash_bands(phash)
    if not receipt.readability:
        receipt.readability = measure_readability(data)
    receipt.reading_status = ReadingStatus.DONE
    receipt.reading_error = ""
    receipt.read_at = utcnow()
    receipt.reading_seconds = round(time.perf_counter() - started, 3)
    receipt.save(update_fields=[
        "extraction", "verification", "text_fingerprint", "phash", "phash_band0", "phash_band1",
        "phash_band2", "phash_band3", "readability", "reading_status", "reading_error",
        "read_at", "reading_seconds",
    ])
    return receipt


def _product_refs(campaign_id: int) -> list[ProductRef]:
    return [ProductRef(names[0], names[1:], key=p.code)
            for p in Product.objects.filter(campaign_id=campaign_id)
            for names in [_product_names(p)]]


def _kept_readings(receipt: ReceiptFile, languages: str) -> list[Any] | None:
    """Return the readings made of this file as a draft, if made with the same settings."""
    kept = receipt.draft_reading if isinstance(receipt.draft_reading, dict) else {}
    if (kept.get("status") != "done" or not kept.get("documents")
            or kept.get("settings") != reading_settings(languages=languages)):
        return None
    try:
        return documents_load(kept["documents"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # kept by another version: read again


# --- a draft's file, while the consumer is still in the wizard -------------------------------

_DRAFT_DONE = ("done", "failed", "unsupported")


def _draft_purchase(draft: ClaimDraft) -> tuple[str, str | None]:
    """Return the country the draft names (or the campaign's first) and its currency."""
    rules = campaign_rules(campaign=draft.campaign)
    purchase = draft.data.get("purchase") or {}
    country = str(purchase.get("country") or next(iter(rules.currencies), ""))
    return country, rules.currencies.get(country)


def _found(extraction: Extraction) -> dict[str, Any]:
    retailer = extraction.retailer.value
    return {
        "retailer": ({"id": retailer.key, "name": retailer.name}
                     if retailer is not None and retailer.key else None),
        "date": extraction.date.value.isoformat() if extraction.date.value else None,
        "total": str(extraction.total.value) if extraction.total.value is not None else None,
        "currency": extraction.currency.value,
        "products": [{"id": m.product.key, "price": str(m.price)}
                     for m in extraction.products if m.product.key and m.price is not None],
    }


def draft_file_read(*, receipt_id: str) -> ReceiptFile | None:
    """Read a draft's file in the background and keep every reading and what it found.

    Safe to run again: a file read already with the same settings is left alone. The claim's
    check reuses the readings (:func:`receipt_read_and_check`), so no page is read twice.
    """
    receipt = (ReceiptFile.objects.select_related("draft__campaign")
               .filter(pk=receipt_id, claim__isnull=True).first())
    if receipt is None or receipt.draft is None:
        return None  # removed, or submitted meanwhile: the claim's check reads it
    draft = receipt.draft
    country, currency = _draft_purchase(draft)
    languages = languages_for(country)
    settings = reading_settings(languages=languages)
    kept = receipt.draft_reading if isinstance(receipt.draft_reading, dict) else {}
    if kept.get("status") in _DRAFT_DONE and kept.get("settings") == settings:
        return receipt
    ReceiptFile.objects.filter(pk=receipt_id).update(
        draft_reading={"status": "reading", "settings": settings})
    started = time.perf_counter()
    outcome: dict[str, Any] = {"settings": settings}
    try:
        data = receipt_read(receipt=receipt, draft_key=bytes(draft.wrapped_key))
        docs = read_documents(data, content_type=receipt.content_type, languages=languages)
        extraction = extract_readings(
            docs, retailers=_retailer_refs(draft.campaign.retailers.all()),
            products=_product_refs(draft.campaign_id), currency_hint=currency)
        outcome.update(status="done", documents=documents_dump(docs),
                       found=_found(extraction))
    except UnsupportedDocument:
        outcome["status"] = "unsupported"
    except (OSError, ValueError, DocumentError) as exc:
        log.warning("draft file %s could not be read: %s", receipt_id, type(exc).__name__)
        outcome["status"] = "failed"
    except Exception:
        # A file that breaks the reader must not break the wizard: it says it could not read.
        log.exception("draft file %s could not be read", receipt_id)
        outcome["status"] = "failed"
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    outcome["read_at"] = utcnow().isoformat()
    # Only a file still in its draft gets the result (it may have been removed meanwhile).
    ReceiptFile.objects.filter(pk=receipt_id, claim__isnull=True).update(draft_reading=outcome)
    receipt.draft_reading = outcome
    return receipt


def draft_file_added(*, receipt_id: object) -> None:
    """Hear that a file was added to a draft: read it once the transaction commits."""
    from rabatt.receipts.tasks import read_draft_file

    receipt = str(receipt_id)
    ReceiptFile.objects.filter(pk=receipt).update(draft_reading={"status": "pending"})
    transaction.on_commit(lambda: read_draft_file.enqueue(receipt))


# --- the claim as a whole ------------------------------------------------------------------

def _strength(field: dict[str, Any]) -> tuple[int, float]:
    return _RANK.get(str(field.get("status")), 3), -float(field.get("confidence") or 0)


def _best_fields(files: Sequence[ReceiptFile]) -> dict[str, Any]:
    """Per field, the strongest outcome over the claim's files: one verifying file suffices."""
    best: dict[str, dict[str, Any]] = {}
    for receipt in files:
        for name, field in (receipt.verification or {}).items():
            known = best.get(name)
            if known is None or _strength(field) < _strength(known):
                best[name] = field
    return {name: best[name] for name in FIELDS if name in best}


def _duplicate_rows(hits: Sequence[DuplicateHit]) -> list[dict[str, Any]]:
    other = {pk: (reference, status) for pk, reference, status in Claim.objects.filter(
        pk__in=[h.claim_id for h in hits]).values_list("pk", "reference", "status")}
    return [{"kind": h.kind, "claim": other.get(h.claim_id, (None, None))[0], "file": h.file_id,
             "distance": h.distance, "status": other.get(h.claim_id, (None, None))[1]}
            for h in hits]


def risk_flags_of(check: ReceiptCheck | None) -> list[str]:
    """The risk flags a receipt check raises: one per kind of duplicate found."""
    if check is None:
        return []
    rows = check.duplicates if isinstance(check.duplicates, list) else []
    return sorted({RISK_FLAGS[d["kind"]] for d in rows
                   if isinstance(d, dict) and d.get("kind") in RISK_FLAGS})


def claim_receipts_check(*, claim_id: int) -> ReceiptCheck | None:
    """Gather the files' results into the claim's :class:`ReceiptCheck`; return it once every
    file is read (None while files are still being read).

    Called after each file is read; only the call that finds every file read writes the
    verdict, the others record progress. The verdict is an event in the claim's history, and
    ``receipts.claim_checked`` tells the review automation.
    """
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            return None
        check, _created = ReceiptCheck.objects.select_for_update().get_or_create(claim=claim)
        files = list(ReceiptFile.objects.filter(claim_id=claim_id))
        read = [f for f in files if f.reading_status in _DONE]
        done = bool(files) and len(read) == len(files)
        ok = [f for f in read if f.reading_status == ReadingStatus.DONE]
        status = (CheckStatus.DONE if ok else CheckStatus.FAILED) if done else CheckStatus.READING
        if done and check.status == status and check.read == len(files) \
                and check.checked_at is not None:
            return check  # checked already: a retried task
        check.status, check.files, check.read = status, len(files), len(read)
        check.checked_at = utcnow() if done else None
        if not done:
            check.save()
            return None
        hits = claim_duplicates(files=files)
        fields = FIELDS_ADAPTER.validate_python(_best_fields(ok))
        duplicates = DUPLICATES_ADAPTER.validate_python(_duplicate_rows(hits))
        check.fields = {name: result.model_dump(mode="json") for name, result in fields.items()}
        check.duplicates = [d.model_dump(mode="json") for d in duplicates]
        check.duplicate_count = len(duplicates)
        check.save()
        claim_event_record(
            claim=claim, kind="receipts_checked", actor_type=ClaimEvent.Actor.SYSTEM,
            data={"fields": {n: f.status for n, f in fields.items()},
                  "duplicates": [{"kind": h.kind, "claim": h.claim_id} for h in hits],
                  "files": len(files), "unreadable_files": len(files) - len(ok)},
        )
        hooks.publish("receipts.claim_checked", claim_id=claim_id)
    return check


def claim_files_added(*, claim: Claim, file_ids: Sequence[object]) -> None:
    """Hear that proofs of purchase were added to a claim: record that they wait to be read,
    and read them once the transaction that stored them commits."""
    if not file_ids:
        return
    files = ReceiptFile.objects.filter(claim_id=claim.pk)
    ReceiptCheck.objects.update_or_create(claim=claim, defaults={
        "status": CheckStatus.READING, "files": files.count(),
        "read": files.filter(reading_status__in=_DONE).count(), "checked_at": None})
    receipts_read_later(file_ids)


def receipts_read_later(receipt_ids: Sequence[object]) -> None:
    """Queue the reading of stored files once the transaction that stored them commits."""
    from rabatt.receipts.tasks import read_receipt_file

    ids = [str(i) for i in receipt_ids]
    transaction.on_commit(lambda: [read_receipt_file.enqueue(i) for i in ids])


def receipts_read_overdue(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Queue again the claim files still unread some time after upload; return how many.

    The safety net behind ``receipts_read_later``: a queued task lost with a crashed worker, or
    files stored before reading existed, get read on the next sweep.
    """
    from rabatt.receipts.tasks import read_receipt_file

    due = utcnow() - older_than
    ids = list(ReceiptFile.objects.filter(
        claim__isnull=False, created_at__lte=due,
        reading_status__in=(ReadingStatus.PENDING, ReadingStatus.READING),
    ).values_list("pk", flat=True)[:10_000])
    for receipt_id in ids:
        read_receipt_file.enqueue(str(receipt_id))
    return len(ids)
