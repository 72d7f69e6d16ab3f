"""Readability warnings in the consumer's file lists (wizard and answer page), and the tracker's
note on automatic decisions. Readability is set directly on the stored file, in the shape the
upload measures (``ReceiptFile.readability``), except in the one test that uploads a blurred
photo through the real measurement."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageFilter

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.services import claim_request_info
from rabatt.claims.tests.factories import claim_factory, receipt_jpeg
from rabatt.claims.tests.test_views import URL, XHR, jpeg, walk
from rabatt.receipts.models import ReceiptFile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_window")]

BLURRED = ('<span class="notice file-warning" role="status" data-readability>'
           '<span aria-hidden="true">⚠</span> The picture looks blurred. Hold the camera still '
           'and take a new photo.<br><span class="hint">Replace it: remove this file and add a '
           'new photo. You can also send it as it is.</span></span>')
BOTH = ('<span class="notice file-warning" role="status" data-readability>'
        '<span aria-hidden="true">⚠</span> The picture looks blurred. Hold the camera still and '
        'take a new photo.<br><span aria-hidden="true">⚠</span> The picture is too dark or '
        'faint. Take it in better light.<br><span class="hint">Replace it: remove this file and '
        'add a new photo. You can also send it as it is.</span></span>')
BOTH_NB = ('<span class="notice file-warning" role="status" data-readability>'
           '<span aria-hidden="true">⚠</span> Bildet ser uskarpt ut. Hold kameraet stødig og ta '
           'et nytt bilde.<br><span aria-hidden="true">⚠</span> Bildet er for mørkt eller svakt. '
           'Ta det i bedre lys.<br><span class="hint">Bytt det ut: fjern denne filen og legg til '
           'et nytt bilde. Du kan også sende det som det er.</span></span>')
MEASURED = {"score": 0.9, "blurry": False, "low_contrast": False, "sharpness": 20.0,
            "contrast": 0.8}


def measured(name: str, **readability: object) -> None:
    ReceiptFile.objects.filter(display_name=name).update(readability=readability)


def warnings_of(html: str, name: str) -> list[str]:
    """The readability warning of the list item that shows ``name`` (none: [])."""
    items = [i for i in re.sub(r"\s+", " ", html).split('<li class="file"')[1:]
             if f">{name}</a>" in i]
    assert len(items) == 1, name
    return re.findall(r'<span class="notice file-warning".*?</span></span>', items[0])


def add(client: Client, name: str) -> None:
    response = client.post(f"{URL}files/", {"file": jpeg(name)})
    assert response.status_code == 302


def test_the_wizard_warns_about_a_blurred_or_faint_file_and_still_goes_on(client, campaign):
    walk(client, campaign, "files")
    for name in ("sharp.jpg", "blurred.jpg", "dark.jpg", "old.jpg", "odd.jpg"):
        add(client, name)
    measured("sharp.jpg", **MEASURED)
    measured("blurred.jpg", **{**MEASURED, "blurry": True})
    measured("dark.jpg", **{**MEASURED, "blurry": True, "low_contrast": True})
    ReceiptFile.objects.filter(display_name="old.jpg").update(readability={})  # not measured
    measured("odd.jpg", blurry="yes", low_contrast=1)  # not a measurement: no warning
    page = client.get(f"{URL}proof/").content.decode()
    assert warnings_of(page, "sharp.jpg") == []
    assert warnings_of(page, "blurred.jpg") == [BLURRED]
    assert warnings_of(page, "dark.jpg") == [BOTH]
    assert warnings_of(page, "old.jpg") == []
    assert warnings_of(page, "odd.jpg") == []
    # A warning only advises: the step accepts the files as they are.
    response = client.post(f"{URL}proof/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}details/"


def test_the_warning_is_in_bokmal_for_a_norwegian_page(campaign):
    client = Client()  # no language chosen: Norway as the purchase country gives Bokmål
    walk(client, campaign, "files")
    add(client, "mørk.jpg")
    measured("mørk.jpg", **{**MEASURED, "blurry": True, "low_contrast": True})
    page = client.get(f"{URL}proof/", headers={"Accept-Language": "nb"}).content.decode()
    assert '<html lang="nb">' in page
    assert warnings_of(page, "mørk.jpg") == [BOTH_NB]


def test_the_list_sent_back_after_an_xhr_removal_keeps_the_warning(client, campaign):
    walk(client, campaign, "files")
    add(client, "a.jpg")
    add(client, "b.jpg")
    measured("a.jpg", **{**MEASURED, "blurry": True})
    other = ReceiptFile.objects.get(display_name="b.jpg")
    response = client.post(f"{URL}files/{other.pk}/remove/", headers=XHR)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert warnings_of(body["html"], "a.jpg") == [BLURRED]


def blurred_photo() -> bytes:
    image = Image.open(io.BytesIO(receipt_jpeg())).filter(ImageFilter.GaussianBlur(4))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_blurred_upload_is_measured_and_warned_about_at_once(client, campaign):
    walk(client, campaign, "files")
    upload = SimpleUploadedFile("uskarp.jpg", blurred_photo(), content_type="image/jpeg")
    response = client.post(f"{URL}files/", {"file": upload}, headers=XHR)
    assert response.status_code == 200
    stored = ReceiptFile.objects.get(display_name="uskarp.jpg")
    assert stored.readability["blurry"] is True
    assert BLURRED in re.sub(r"\s+", " ", response.json()["html"]) or (
        stored.readability["low_contrast"] is True
        and BOTH in re.sub(r"\s+", " ", response.json()["html"]))


def test_the_answer_page_warns_about_its_new_files_too(campaign, agent):
    claim = claim_factory(campaign)
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"], message="Blurred.")
    consumer = Client()
    # The page would speak the claim's language (Bokmål); this visitor chose English.
    consumer.cookies["django_language"] = "en"
    added = consumer.post(f"/claims/answer/{token}/files/", {"file": jpeg("ny.jpg")})
    assert added.status_code == 302
    measured("ny.jpg", **{**MEASURED, "low_contrast": True})
    page = consumer.get(f"/claims/answer/{token}/").content.decode()
    assert warnings_of(page, "ny.jpg") == [
        '<span class="notice file-warning" role="status" data-readability>'
        '<span aria-hidden="true">⚠</span> The picture is too dark or faint. Take it in better '
        'light.<br><span class="hint">Replace it: remove this file and add a new photo. You can '
        'also send it as it is.</span></span>']


def test_the_tracker_says_an_automatic_approval_was_automatic(campaign):
    claim = claim_factory(campaign)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.APPROVED,
                                             decided_automatically=True)
    page = Client().post("/track/", {"reference": claim.reference,
                                     "email": "kari@example.no"}).content.decode()
    assert 'data-status="approved"' in page
    assert ("<p>This decision was made automatically. You can ask for a person to review it."
            "</p>") in page
    nb = Client().post("/track/", {"reference": claim.reference, "email": "kari@example.no"},
                       headers={"Accept-Language": "nb"}).content.decode()
    assert "<p>Denne avgjørelsen ble tatt automatisk." in nb
