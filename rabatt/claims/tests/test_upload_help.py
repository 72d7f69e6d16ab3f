"""Help while uploading: the wizard reads a draft's receipt in the background and tells the
consumer what it found, offers to fill in the purchase, and the claim reuses the reading."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from rabatt.claims.models import Claim
from rabatt.claims.tests.test_views import DECLARATIONS, DETAILS, URL, XHR, draft_of, walk
from rabatt.receipts import checking
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading.pipeline import reading_settings
from rabatt.receipts.tests.factories import jpeg_bytes, spec

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_window")]


def upload(client: Client, data: bytes, capture, name: str = "kvittering.jpg") -> ReceiptFile:
    with capture(execute=True):
        response = client.post(f"{URL}files/", {"file": SimpleUploadedFile(
            name, data, content_type="image/jpeg")})
    assert response.status_code == 302
    return ReceiptFile.objects.get(display_name=name, claim__isnull=True)


def top_of(data: bytes, share: float) -> bytes:
    """The receipt photographed without its lower part (no total, no date)."""
    image = Image.open(io.BytesIO(data))
    out = io.BytesIO()
    image.crop((0, 0, image.width, int(image.height * share))).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_the_proof_step_tells_what_the_receipt_shows_and_fills_it_in(
        client, campaign, django_capture_on_commit_callbacks):
    walk(client, campaign, "files")  # the purchase says 25 July, NOK 4 990,00
    receipt = upload(client, jpeg_bytes(spec(total="4490.00", day=date(2019, 7, 24))),
                     django_capture_on_commit_callbacks)
    reading = receipt.draft_reading
    assert reading["status"] == "done"
    assert reading["settings"] == reading_settings(languages="nor+eng")
    assert reading["found"]["retailer"] == {"id": "elkjop-no", "name": "Elkjøp"}
    assert (reading["found"]["date"], reading["found"]["total"],
            reading["found"]["currency"]) == ("2019-07-24", "4490.00", "NOK")
    assert reading["documents"][0]["pages"][0]["lines"]

    page = client.get(f"{URL}proof/").content.decode()
    assert "On this receipt we found:" in page
    assert "<strong>Shop</strong> Elkjøp" in page
    assert "<strong>Purchase date</strong> July 24, 2019" in page
    assert "<strong>Total</strong> NOK\xa04,490.00" in page
    assert "We could not find" not in page
    assert "Use these in my claim" in page
    assert "http-equiv=\"refresh\"" not in page  # nothing left to wait for

    response = client.post(f"{URL}files/{receipt.pk}/fill/")
    assert (response.status_code, response["Location"]) == (302, f"{URL}proof/")
    purchase = draft_of(client).data["purchase"]
    assert (purchase["purchased_on"], purchase["retailer"], purchase["lines"]) == (
        "2019-07-24", "elkjop-no", [{"product": "beam", "price": "4490.00", "quantity": 1}])
    after = client.get(f"{URL}proof/").content.decode()
    assert "We filled in the date, the shop and the price from your receipt." in after
    assert "This matches what you entered." in after
    assert "Use these in my claim" not in after
    # Still editable: the purchase step shows the filled-in values in its form.
    form = client.get(f"{URL}purchase/").content.decode()
    assert 'value="2019-07-24"' in form


def test_a_receipt_without_its_lower_part_says_what_is_missing(
        client, campaign, django_capture_on_commit_callbacks):
    walk(client, campaign, "files")
    receipt = upload(client, top_of(jpeg_bytes(spec()), 0.3),
                     django_capture_on_commit_callbacks)
    found = receipt.draft_reading["found"]
    assert found["total"] is None
    page = client.get(f"{URL}proof/").content.decode()
    assert ("We could not find the total on this receipt: is the whole receipt in the "
            "picture?") in page


def test_a_file_still_being_read_makes_the_page_ask_again(client, campaign):
    walk(client, campaign, "files")
    # Without running the queued reading: the file waits to be read.
    client.post(f"{URL}files/", {"file": SimpleUploadedFile(
        "k.jpg", jpeg_bytes(spec()), content_type="image/jpeg")})
    receipt = ReceiptFile.objects.get(display_name="k.jpg")
    assert receipt.draft_reading == {"status": "pending"}
    page = client.get(f"{URL}proof/").content.decode()
    assert "Reading your receipt…" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert f'data-reading-url="{URL}files/reading/"' in page
    answer = client.get(f"{URL}files/reading/", headers=XHR)
    assert answer.json()["pending"] is True
    assert answer["Cache-Control"] == "private, no-store"

    checking.draft_file_read(receipt_id=str(receipt.pk))
    answer = client.get(f"{URL}files/reading/", headers=XHR).json()
    assert answer["pending"] is False
    assert "On this receipt we found:" in answer["html"]


def test_the_claim_reuses_the_draft_s_reading_and_reads_no_page_again(
        client, campaign, django_capture_on_commit_callbacks, monkeypatch):
    walk(client, campaign, "files")
    receipt = upload(client, jpeg_bytes(spec()), django_capture_on_commit_callbacks)
    kept = receipt.draft_reading
    again = checking.draft_file_read(receipt_id=str(receipt.pk))
    assert again is not None
    assert again.draft_reading == kept  # read once: a second run changes nothing

    def no_second_reading(*args, **kwargs):
        raise AssertionError("a page was read a second time with the same settings")

    monkeypatch.setattr(checking, "read_receipt", no_second_reading)
    monkeypatch.setattr(checking, "read_documents", no_second_reading)
    with django_capture_on_commit_callbacks(execute=True):
        for step, data in (("proof", {}), ("details", DETAILS), ("review", DECLARATIONS)):
            response = client.post(f"{URL}{step}/", data)
            assert response.status_code == 302, (step, response.content.decode()[:2000])
    claim = Claim.objects.get()
    copy = ReceiptFile.objects.get(claim=claim)
    assert copy.draft_reading["settings"] == kept["settings"]
    assert copy.reading_status == "done"
    assert {name: field["status"] for name, field in copy.verification.items()} == {
        "retailer": "verified", "date": "verified", "total": "verified",
        "currency": "verified"}


def test_a_file_that_is_not_a_receipt_says_it_could_not_be_read(
        client, campaign, django_capture_on_commit_callbacks):
    walk(client, campaign, "files")
    blank = io.BytesIO()
    Image.new("RGB", (800, 1000), "white").save(blank, "JPEG")
    receipt = upload(client, blank.getvalue(), django_capture_on_commit_callbacks)
    assert receipt.draft_reading["status"] == "done"
    page = client.get(f"{URL}proof/").content.decode()
    for field in ("the shop&#x27;s name", "the purchase date", "the total"):
        assert f"We could not find {field} on this receipt" in page
    assert "Use these in my claim" not in page


def test_another_draft_s_file_cannot_be_used_to_fill_in(client, campaign,
                                                        django_capture_on_commit_callbacks):
    walk(client, campaign, "files")
    receipt = upload(client, jpeg_bytes(spec()), django_capture_on_commit_callbacks)
    stranger = Client()
    walk(stranger, campaign, "files")
    assert stranger.post(f"{URL}files/{receipt.pk}/fill/").status_code == 404


