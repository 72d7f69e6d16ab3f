"""Receipts are read in the background after upload, checked against the claim, and compared
with every other claim's receipts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from rabatt.claims.models import ClaimEvent, ClaimStatus
from rabatt.receipts.checking import (
    claim_receipts_check,
    languages_for,
    local_purchase_date,
    receipt_read_and_check,
    receipts_read_overdue,
)
from rabatt.receipts.models import ReadingStatus, ReceiptFile
from rabatt.receipts.tasks import read_receipt_file
from rabatt.receipts.tests.factories import claim_read, jpeg_bytes, pdf_bytes, spec
from rabatt.review.presenters import claim_signals

pytestmark = pytest.mark.django_db

__all__ = ["claim_read"]


def test_a_matching_receipt_verifies_every_field_with_evidence(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    signals = claim_signals(claim=claim)
    assert signals["receipts"]["status"] == "done"
    assert (signals["receipts"]["files"], signals["receipts"]["read"]) == (1, 1)
    fields = signals["fields"]
    assert {n: f["status"] for n, f in fields.items()} == {
        "retailer": "verified", "date": "verified", "total": "verified", "currency": "verified"}
    total = fields["total"]
    assert total["entered"] == "4990.00"
    assert total["read"] == "4990.00"
    receipt = claim.files.get()
    assert total["file"] == str(receipt.pk)
    evidence = total["evidence"]
    assert evidence["page"] == 0
    assert evidence["page_width"] > 0
    assert evidence["page_height"] > 0
    assert "4" in evidence["text"]
    assert len(evidence["box"]) == 5
    assert receipt.reading_status == ReadingStatus.DONE
    assert receipt.extraction["total"]["value"] == "4990.00"
    assert receipt.text_fingerprint
    assert receipt.phash is not None
    assert receipt.reading_seconds is not None
    assert signals["duplicates"] == []
    assert signals["risk_flags"] == []
    event = claim.events.get(kind="receipts_checked")
    assert event.actor_type == ClaimEvent.Actor.SYSTEM
    assert event.data["fields"]["total"] == "verified"
    # Off by default: nothing decided, the claim waits for a person.
    assert claim.status == ClaimStatus.SUBMITTED
    assert signals["automatic"]["outcome"] == "off"


def test_a_photo_is_read_by_ocr(claim_read: Any) -> None:
    claim = claim_read(jpeg_bytes(spec()), "kvittering.jpg", "image/jpeg")
    fields = claim_signals(claim=claim)["fields"]
    assert fields["total"]["status"] == "verified"
    assert fields["date"]["status"] == "verified"
    assert fields["retailer"]["status"] == "verified"
    assert claim.files.get().extraction["source"] == "ocr"


@pytest.mark.parametrize(("changes", "field"), [
    ({"price": "4499.00"}, "total"),
    ({"purchased_at": "2019-07-24T10:00:00Z"}, "date"),
    ({"retailer": "power-no"}, "retailer"),
])
def test_a_receipt_that_says_otherwise_is_a_mismatch(claim_read: Any, changes: dict[str, Any],
                                                     field: str) -> None:
    claim = claim_read(pdf_bytes(spec()), **changes)
    fields = claim_signals(claim=claim)["fields"]
    assert fields[field]["status"] == "mismatch"
    assert all(f["status"] == "verified" for n, f in fields.items() if n != field)


def test_other_goods_on_the_receipt_still_verify_the_price_on_its_line(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec(extra_item=True)))
    total = claim_signals(claim=claim)["fields"]["total"]
    assert total["status"] == "verified"
    assert "Beam" in total["evidence"]["text"]


def test_the_same_file_in_another_claim_is_an_exact_duplicate(claim_read: Any) -> None:
    data = pdf_bytes(spec())
    first = claim_read(data)
    second = claim_read(data, email="ola@example.no")
    assert claim_signals(claim=second)["risk_flags"] == ["duplicate_receipt"]
    assert claim_signals(claim=second)["duplicates"] == [{
        "kind": "exact", "claim": first.reference, "file": str(first.files.get().pk),
        "distance": None, "status": "submitted"}]
    first.refresh_from_db()
    assert claim_signals(claim=first)["duplicates"] == []


def test_a_recompressed_photo_of_the_same_receipt_is_found(claim_read: Any) -> None:
    first = claim_read(jpeg_bytes(spec()), "a.jpg", "image/jpeg")
    second = claim_read(jpeg_bytes(spec(), quality=40), "b.jpg", "image/jpeg",
                        email="ola@example.no")
    kinds = {d["kind"] for d in claim_signals(claim=second)["duplicates"]}
    assert kinds
    assert kinds <= {"near", "text"}
    assert claim_signals(claim=second)["duplicates"][0]["claim"] == first.reference
    assert set(claim_signals(claim=second)["risk_flags"]) & {"near_duplicate_receipt",
                                                 "same_purchase_elsewhere"}


def test_the_same_purchase_as_a_pdf_and_a_photo_is_the_same_purchase(claim_read: Any) -> None:
    first = claim_read(pdf_bytes(spec()))
    second = claim_read(jpeg_bytes(spec()), "b.jpg", "image/jpeg",
                        email="ola@example.no")
    assert claim_signals(claim=second)["duplicates"][0]["kind"] == "text"
    assert claim_signals(claim=second)["duplicates"][0]["claim"] == first.reference
    assert "same_purchase_elsewhere" in claim_signals(claim=second)["risk_flags"]


def test_a_different_receipt_from_the_same_shop_is_not_a_duplicate(claim_read: Any) -> None:
    claim_read(pdf_bytes(spec()))
    second = claim_read(pdf_bytes(spec(number="417-220720", day=date(2019, 7, 26))),
                        email="ola@example.no",
                        purchased_at="2019-07-26T10:00:00Z")
    assert claim_signals(claim=second)["duplicates"] == []
    assert claim_signals(claim=second)["risk_flags"] == []


def test_readability_is_measured_at_upload(claim_read: Any) -> None:
    sharp = claim_read(jpeg_bytes(spec()), "a.jpg", "image/jpeg").files.get()
    blurred = claim_read(jpeg_bytes(spec(number="1-2"), blur=4), "b.jpg", "image/jpeg",
                         email="ola@example.no").files.get()
    assert sharp.readability["blurry"] is False
    assert blurred.readability["blurry"] is True
    assert blurred.readability["score"] < sharp.readability["score"]


def test_reading_again_changes_nothing(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    receipt = claim.files.get()
    before = (receipt.extraction, receipt.verification, receipt.read_at)
    read_receipt_file.call(str(receipt.pk))
    receipt.refresh_from_db()
    assert (receipt.extraction, receipt.verification, receipt.read_at) == before
    assert claim.events.filter(kind="receipts_checked").count() == 1


def test_a_restricted_person_s_receipt_is_not_read(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    receipt = claim.files.get()
    ReceiptFile.objects.filter(pk=receipt.pk).update(reading_status=ReadingStatus.PENDING,
                                                     extraction={})
    subject = claim.subject
    subject.restricted_at = claim.submitted_at
    subject.save(update_fields=["restricted_at"])
    assert receipt_read_and_check(receipt_id=str(receipt.pk)) is None
    receipt.refresh_from_db()
    assert receipt.reading_status == ReadingStatus.FAILED
    assert receipt.reading_error == "processing_restricted"
    assert receipt.extraction == {}


def test_progress_is_recorded_until_every_file_is_read(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    extra = ReceiptFile.objects.create(
        claim=claim, subject=claim.subject, content_type="image/jpeg", size=1, sha256="f" * 64,
        original_sha256="f" * 64, display_name="second.jpg")
    assert claim_receipts_check(claim_id=claim.pk) is None
    claim.refresh_from_db()
    assert claim_signals(claim=claim)["receipts"] == {"status": "reading", "files": 2, "read": 1,
                                         "checked_at": None}
    ReceiptFile.objects.filter(pk=extra.pk).update(reading_status=ReadingStatus.FAILED)
    assert claim_receipts_check(claim_id=claim.pk) is not None
    claim.refresh_from_db()
    assert claim_signals(claim=claim)["receipts"]["status"] == "done"
    assert claim_signals(claim=claim)["fields"]["total"]["status"] == "verified"


def test_languages_follow_the_purchase_country() -> None:
    assert languages_for("NO") == "nor+eng"
    assert languages_for("no") == "nor+eng"
    assert languages_for("US") == "eng"


def test_the_purchase_date_is_the_shop_s_local_date(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec(day=date(2019, 7, 26))),
                       purchased_at="2019-07-25T22:30:00Z")
    assert local_purchase_date(claim) == date(2019, 7, 26)
    assert claim_signals(claim=claim)["fields"]["date"]["status"] == "verified"


def test_the_sweep_reads_files_left_unread(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    receipt = claim.files.get()
    ReceiptFile.objects.filter(pk=receipt.pk).update(reading_status=ReadingStatus.PENDING,
                                                     extraction={})
    assert receipts_read_overdue(older_than=timedelta(minutes=15)) == 0  # too fresh
    out = io.StringIO()
    call_command("receipts", "sweep", "--minutes", "0", stdout=out)
    assert out.getvalue() == "1 files queued for reading\n"
    receipt.refresh_from_db()
    assert receipt.reading_status == ReadingStatus.DONE
    assert receipt.extraction["total"]["value"] == "4990.00"
    assert receipts_read_overdue(older_than=timedelta(0)) == 0


def test_a_receipt_sent_in_answer_is_read_and_the_claim_checked_again(
        claim_read: Any, agent: Any, django_capture_on_commit_callbacks: Any) -> None:
    from rabatt.claims.services import claim_answer_info, claim_request_info
    from rabatt.receipts.services import receipt_vet

    blurred = jpeg_bytes(spec(), blur=6)
    claim = claim_read(blurred, "uklar.jpg", "image/jpeg")
    assert claim.files.get().readability["blurry"] is True
    assert claim_signals(claim=claim)["fields"]["total"]["status"] == "unreadable"
    # (Its after-commit e-mail and lapse timer are not run here.)
    _, token = claim_request_info(claim_id=claim.pk, actor=agent, reasons=["receipt_unreadable"])
    with django_capture_on_commit_callbacks(execute=True):
        claim_answer_info(token=token, uploads=[receipt_vet(
            data=pdf_bytes(spec()), name="ny.pdf", content_type="application/pdf")])
    claim.refresh_from_db()
    assert claim_signals(claim=claim)["receipts"]["status"] == "done"
    receipts = claim_signals(claim=claim)["receipts"]
    assert (receipts["files"], receipts["read"]) == (2, 2)
    assert {n: f["status"] for n, f in claim_signals(claim=claim)["fields"].items()} == {
        "retailer": "verified", "date": "verified", "total": "verified", "currency": "verified"}
    assert claim_signals(claim=claim)["fields"]["total"]["file"] == str(claim.files.get(
        added_during="info_answer").pk)
    assert claim.events.filter(kind="receipts_checked").count() == 2
    # Someone has looked at it: no automatic decision after an answer.
    assert claim.status == ClaimStatus.IN_REVIEW


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_evidence_read_on_a_turned_page_lands_on_the_upload(rotation: int) -> None:
    from PIL import Image

    from rabatt.receipts.checking import unrotate

    # A 300 x 500 upload with a mark at x 20-60, y 400-420, turned as OCR turned it.
    upload = Image.new("L", (300, 500), 255)
    upload.paste(0, (20, 400, 60, 420))
    turned = upload.rotate(-rotation, expand=True)
    ys, xs = zip(*[(y, x) for y in range(turned.height) for x in range(turned.width)
                   if turned.getpixel((x, y)) == 0], strict=True)
    seen = [0, min(xs), min(ys), max(xs) + 1, max(ys) + 1]
    box, width, height = unrotate(seen, turned.width, turned.height, rotation)
    assert (width, height) == (300, 500)
    assert box == [0, 20, 400, 60, 420]


def test_a_picture_the_measurement_cannot_judge_has_no_readability() -> None:
    from rabatt.receipts.checking import measure_readability

    assert measure_readability(b"not a picture at all") == {}


def _scanned_pdf(image: bytes) -> bytes:
    """Wrap a photo in a PDF, as a scanner or a phone's "save as PDF" does."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(image)).save(out, "PDF", resolution=150)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["text", "scan"])
def test_a_pdf_is_vetted_and_measured_in_one_child(kind: str, monkeypatch: Any) -> None:
    from rabatt.core import sandbox
    from rabatt.receipts.services import measure_readability, receipt_vet

    data = pdf_bytes(spec()) if kind == "text" else _scanned_pdf(jpeg_bytes(spec(), blur=4))
    jobs: list[str] = []
    real_run = sandbox.run

    def counted(job: str, *args: Any, **kwargs: Any) -> Any:
        jobs.append(job)
        return real_run(job, *args, **kwargs)

    monkeypatch.setattr(sandbox, "run", counted)
    safe = receipt_vet(data=data, name="receipt.pdf")
    kept = measure_readability(safe.data, pdf_page=safe.pdf_page)
    assert jobs == ["pdf.inspect"]
    # The same figures as measuring on its own, which renders the page in a child of its own.
    assert kept == measure_readability(safe.data)
    assert jobs == ["pdf.inspect", "pdf.pages"]
    assert safe.pdf_page is not None
    if kind == "text":
        assert (safe.pdf_page.image, kept["sharpness"]) == (None, None)
    else:
        assert safe.pdf_page.image is not None
        assert kept["blurry"] is True
