"""The staged-upload component, through both pages that use it: the wizard's proof step and the
missing-information answer page, each with and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from rabatt.claims.services import claim_request_info
from rabatt.claims.tests.factories import claim_factory, receipt_jpeg
from rabatt.claims.tests.test_views import URL, XHR, jpeg, walk
from rabatt.claims.uploads import Staging, file_warnings, upload_vet
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.safety import MAX_FILES_PER_CLAIM, MAX_UPLOAD_BYTES, UploadRefused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_window")]


@dataclass
class Page:
    """A page with an uploader: its own URL, its file routes, and the browser using it."""

    url: str
    files: str
    client: Client


@pytest.fixture(params=["wizard", "answer"])
def page(request, campaign) -> Page:
    client = request.getfixturevalue("client")  # chose English (conftest)
    if request.param == "wizard":
        walk(client, campaign, "files")
        return Page(url=f"{URL}proof/", files=f"{URL}files/", client=client)
    agent = request.getfixturevalue("agent")
    # The answer page speaks the claim's language (Bokmål) unless the visitor chose another.
    client.cookies["django_language"] = "en"
    _claim, token = claim_request_info(claim_id=claim_factory(campaign).pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    return Page(url=f"/claims/answer/{token}/", files=f"/claims/answer/{token}/files/",
                client=client)


def staged(name: str) -> ReceiptFile:
    return ReceiptFile.objects.get(display_name=name, claim__isnull=True)


def test_a_script_adds_a_file_and_gets_the_new_list(page):
    response = page.client.post(page.files, {"file": jpeg("ny.jpg")}, headers=XHR)
    body = response.json()
    assert response.status_code == 200
    assert (body["ok"], body["count"], body["message"]) == (True, 1, "ny.jpg was added.")
    receipt = staged("ny.jpg")
    assert f'data-file-id="{receipt.pk}"' in body["html"]
    assert f'action="{page.files}{receipt.pk}/remove/"' in body["html"]
    assert 'aria-label="Remove ny.jpg"' in body["html"]


def test_a_plain_form_adds_a_file_and_returns_to_its_page(page):
    response = page.client.post(page.files, {"file": jpeg("ny.jpg")})
    assert response.status_code == 302
    assert response["Location"] == page.url
    shown = page.client.get(page.url).content.decode()
    assert "ny.jpg was added." in shown
    assert f'src="{page.files}{staged("ny.jpg").pk}/"' in shown


def test_a_script_gets_the_refusal_and_nothing_is_stored(page):
    before = ReceiptFile.objects.count()
    html = SimpleUploadedFile("x.pdf", b"<html><script>x</script></html>",
                              content_type="application/pdf")
    response = page.client.post(page.files, {"file": html}, headers=XHR)
    assert response.status_code == 415
    assert response.json() == {"ok": False, "code": "not_a_pdf",
                               "message": "This file is named .pdf but is not a PDF: it may be "
                                          "damaged or another kind of file renamed. Please save "
                                          "the receipt as a PDF again, or upload a photo of it."}
    missing = page.client.post(page.files, {}, headers=XHR)
    assert (missing.status_code, missing.json()["code"]) == (422, "no_file")
    assert ReceiptFile.objects.count() == before


def test_a_script_removes_a_file_and_gets_the_new_list(page):
    page.client.post(page.files, {"file": jpeg("a.jpg")})
    page.client.post(page.files, {"file": jpeg("b.jpg")})
    response = page.client.post(f"{page.files}{staged('a.jpg').pk}/remove/", headers=XHR)
    body = response.json()
    assert (body["ok"], body["count"], body["message"]) == (True, 1, "a.jpg was removed.")
    assert ">b.jpg</a>" in body["html"]
    assert [f.display_name for f in ReceiptFile.objects.filter(claim__isnull=True)] == ["b.jpg"]


def test_a_plain_form_removes_a_file_and_returns_to_its_page(page):
    page.client.post(page.files, {"file": jpeg("a.jpg")})
    response = page.client.post(f"{page.files}{staged('a.jpg').pk}/remove/")
    assert response["Location"] == page.url
    shown = page.client.get(page.url).content.decode()
    assert "a.jpg was removed." in shown
    assert "No file added yet." in shown


def test_an_unknown_file_is_not_found_for_a_script_and_a_plain_form(page):
    page.client.post(page.files, {"file": jpeg("a.jpg")})
    unknown = f"{page.files}{uuid4()}/remove/"
    scripted = page.client.post(unknown, headers=XHR)
    assert scripted.status_code == 404
    assert scripted.json() == {"ok": False, "code": "not_found", "message": "No such file."}
    assert page.client.post(unknown).status_code == 404
    assert page.client.get(f"{page.files}{uuid4()}/").status_code == 404


def test_another_browser_can_neither_see_nor_remove_a_staged_file(page):
    page.client.post(page.files, {"file": jpeg("a.jpg")})
    receipt = staged("a.jpg")
    stranger = Client()
    assert stranger.get(f"{page.files}{receipt.pk}/").status_code == 404
    assert stranger.post(f"{page.files}{receipt.pk}/remove/", headers=XHR).status_code == 404
    assert ReceiptFile.objects.filter(pk=receipt.pk).exists()


def test_the_owner_gets_the_file_back_with_safe_headers(page):
    page.client.post(page.files, {"file": jpeg("a.jpg")})
    response = page.client.get(f"{page.files}{staged('a.jpg').pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="a.jpg"'
    assert (response["X-Content-Type-Options"], response["Content-Security-Policy"],
            response["Cache-Control"]) == ("nosniff", "sandbox", "private, no-store")


def test_both_pages_show_the_same_uploader(page):
    shown = page.client.get(page.url).content.decode()
    assert f'action="{page.files}"' in shown
    assert f"up to {MAX_FILES_PER_CLAIM} files" in shown
    assert 'data-uploader' in shown


# -- what only one of the pages does ------------------------------------------------------------


def test_without_javascript_the_proof_step_itself_explains_a_refusal(client, campaign):
    walk(client, campaign, "files")
    response = client.post(f"{URL}files/", {"file": SimpleUploadedFile("x.pdf", b"")})
    assert response.status_code == 422
    assert 'data-code="empty_file"' in response.content.decode()


def test_without_javascript_the_answer_page_explains_a_refusal_after_the_redirect(campaign,
                                                                                    agent):
    _claim, token = claim_request_info(claim_id=claim_factory(campaign).pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    consumer = Client()
    response = consumer.post(f"/claims/answer/{token}/files/",
                             {"file": SimpleUploadedFile("x.pdf", b"")})
    assert response["Location"] == f"/claims/answer/{token}/"
    assert "The file is empty." in consumer.get(response["Location"]).content.decode()


def test_a_wizard_upload_without_a_draft_asks_to_start_again(client, campaign):
    scripted = client.post(f"{URL}files/", {"file": jpeg()}, headers=XHR)
    assert scripted.status_code == 409
    assert scripted.json()["code"] == "no_draft"
    assert client.post(f"{URL}files/", {"file": jpeg()})["Location"] == URL
    assert ReceiptFile.objects.count() == 0


def test_an_answer_upload_through_a_used_link_is_refused(campaign, agent):
    claim = claim_factory(campaign)
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    consumer = Client()
    consumer.post(f"/claims/answer/{token}/", {"message": "Here."})
    scripted = consumer.post(f"/claims/answer/{token}/files/", {"file": jpeg()}, headers=XHR)
    assert scripted.status_code == 404
    assert scripted.json()["code"] == "link_invalid"
    plain = consumer.post(f"/claims/answer/{token}/files/", {"file": jpeg()})
    assert plain.status_code == 404
    assert "This link cannot be used" in plain.content.decode()


def test_the_claims_own_files_count_against_the_answers_limit(campaign, agent):
    claim = claim_factory(campaign, files=[receipt_jpeg()] * (MAX_FILES_PER_CLAIM - 1))
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    consumer = Client()
    files = f"/claims/answer/{token}/files/"
    assert consumer.post(files, {"file": jpeg("last.jpg")}, headers=XHR).status_code == 200
    refused = consumer.post(files, {"file": jpeg("one-too-many.jpg")}, headers=XHR)
    assert refused.status_code == 422
    assert refused.json() == {"ok": False, "code": "too_many_files",
                              "message": "Please upload at most 10 files."}


# -- the pieces ---------------------------------------------------------------------------------


def test_staging_names_the_file_routes_of_its_page():
    staging = Staging(route="claims:draft_file", kwargs={"slug": "sonos-summer-2019"},
                      page_url=f"{URL}proof/")
    file_id = uuid4()
    assert staging.url("_add") == f"{URL}files/"
    assert staging.url(file_id=file_id) == f"{URL}files/{file_id}/"
    assert staging.url("_remove", file_id) == f"{URL}files/{file_id}/remove/"


@pytest.mark.parametrize(("readability", "count"), [
    ({"blurry": True, "low_contrast": True}, 2), ({"blurry": True}, 1),
    ({"blurry": False, "low_contrast": False}, 0), ({}, 0), (None, 0),
    ({"blurry": "yes", "low_contrast": 1}, 0),
])
def test_only_a_real_measurement_gives_warnings(readability, count):
    assert len(file_warnings(readability)) == count


def test_a_file_too_large_is_refused_before_it_is_read():
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * MAX_UPLOAD_BYTES,
                             content_type="image/jpeg")
    request = RequestFactory().post("/", {"file": big})
    with pytest.raises(UploadRefused) as refused:
        upload_vet(request)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)


def test_a_wizard_upload_before_the_purchase_step_is_not_vetted(client, campaign):
    from rabatt.receipts.tests import hostile

    walk(client, campaign, "purchase")  # a valid code, but no purchase yet
    bomb = SimpleUploadedFile("r.pdf", hostile.pdf_deflate_bomb(200), "application/pdf")
    scripted = client.post(f"{URL}files/", {"file": bomb}, headers=XHR)
    # Refused for the missing step, not as a PDF: the file was never opened.
    assert (scripted.status_code, scripted.json()["code"]) == (409, "step_missing")
    plain = client.post(f"{URL}files/", {"file": jpeg()})
    assert plain["Location"] == f"{URL}purchase/"
    assert ReceiptFile.objects.count() == 0
