"""The claim wizard, tracker and answer pages, through the Django test client (no browser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import campaign_pause
from rabatt.claims.models import Claim, ClaimDraft, ClaimStatus
from rabatt.claims.services import claim_request_info, device_fingerprint_of
from rabatt.claims.tests.factories import code_new, receipt_jpeg
from rabatt.codes.models import Code, CodeStatus
from rabatt.receipts.models import ReceiptFile
from rabatt.review.tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_window")]

URL = "/c/sonos-summer-2019/claim/"
PURCHASE = {"lines": "1", "country": "NO", "retailer": "elkjop-no", "purchased_on": "2019-07-25",
            "product_0": "beam", "price_0": "4 990,00", "quantity_0": "1", "action": "next"}
DETAILS = {"first_name": "Kari", "last_name": "Nordmann", "email": "kari@example.no",
           "address_line1": "Storgata 1", "postcode": "0155", "city": "Oslo",
           "account_holder": "Kari Nordmann", "iban": "NO93 8601 1117 947"}
DECLARATIONS = {"adult": "on", "end_user": "on", "own_claim": "on", "terms_accepted": "on"}
XHR = {"X-Requested-With": "XMLHttpRequest"}


def jpeg(name: str = "kvittering.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, receipt_jpeg(), content_type="image/jpeg")


def draft_of(client: Client) -> ClaimDraft:
    from rabatt.claims.services import draft_get

    draft = draft_get(token=client.session["claim-draft:sonos-summer-2019"])
    assert draft is not None
    return draft


def walk(client: Client, campaign: Campaign, upto: str) -> str:
    """Complete the wizard's steps before ``upto``; return the code used."""
    code = code_new(campaign)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("code", {"code": code}), ("purchase", PURCHASE), ("files", {"file": jpeg()}),
        ("proof", {}), ("details", DETAILS), ("review", DECLARATIONS)]
    for step, data in steps:
        if step == upto:
            break
        response = client.post(f"{URL}{step}/", data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return code


def test_code_with_a_wrong_check_character_is_refused_before_any_draft(client, campaign):
    code = code_new(campaign)
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    response = client.post(f"{URL}code/", {"code": typo})
    page = response.content.decode()
    assert response.status_code == 422
    assert "This code is not valid. Please check it for typing errors." in page
    assert 'aria-invalid="true"' in page
    assert 'href="#id_code"' in page
    assert ClaimDraft.objects.count() == 0


def test_a_used_code_is_refused_with_a_clear_message(client, campaign):
    code = code_new(campaign)
    Code.objects.filter(campaign=campaign).update(status=CodeStatus.USED)
    response = client.post(f"{URL}code/", {"code": code})
    assert response.status_code == 409
    assert "This code has already been used." in response.content.decode()
    assert 'href="/track/"' in response.content.decode()
    assert ClaimDraft.objects.count() == 0


def test_a_discount_code_cannot_start_a_cashback_claim(client, campaign):
    response = client.post(f"{URL}code/", {"code": code_new(campaign, channel="direct")})
    assert response.status_code == 422
    assert "discount code for the brand&#x27;s shop" in response.content.decode()


def test_the_date_input_only_offers_the_window_up_to_today(client, campaign):
    walk(client, campaign, "purchase")
    page = client.get(f"{URL}purchase/").content.decode()
    assert 'min="2019-07-20"' in page
    assert 'max="2019-08-01"' in page


@pytest.mark.parametrize("day", ["2019-07-19", "2019-08-02", "2020-01-01"])
def test_a_date_outside_the_window_is_refused_by_the_server(client, campaign, day):
    walk(client, campaign, "purchase")
    response = client.post(f"{URL}purchase/", {**PURCHASE, "purchased_on": day})
    assert response.status_code == 422
    assert "only purchases in the campaign period count" in response.content.decode()
    assert "purchase" not in draft_of(client).data


def test_the_purchase_is_stored_at_noon_utc_with_the_quote_shown(client, campaign):
    walk(client, campaign, "purchase")
    response = client.post(f"{URL}purchase/", {**PURCHASE, "action": "quote"})
    assert "NOK\u00a0748.50" in response.content.decode()
    client.post(f"{URL}purchase/", PURCHASE)
    assert draft_of(client).data["purchase"] == {
        "country": "NO", "retailer": "elkjop-no", "purchased_on": "2019-07-25",
        "order_number": "", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}]}
    walk_rest = client.post(f"{URL}files/", {"file": jpeg()})
    assert walk_rest.status_code == 302
    client.post(f"{URL}proof/")
    client.post(f"{URL}details/", DETAILS)
    client.post(f"{URL}review/", DECLARATIONS)
    claim = Claim.objects.get()
    assert claim.purchased_at == datetime(2019, 7, 25, 12, tzinfo=UTC)
    assert claim.amount == 748.5


def test_product_rows_are_added_and_removed_without_javascript(client, campaign):
    walk(client, campaign, "purchase")
    added = client.post(f"{URL}purchase/", {**PURCHASE, "action": "add_line"}).content.decode()
    assert 'name="lines" value="2"' in added
    assert 'name="product_1"' in added
    two = {**PURCHASE, "lines": "2", "product_1": "sub", "price_1": "7990"}
    page = client.post(f"{URL}purchase/", {**two, "action": "remove_line:0"}).content.decode()
    assert 'name="lines" value="1"' in page
    assert 'name="product_1"' not in page
    assert '<option value="sub" selected>' in page
    assert "purchase" not in draft_of(client).data


def test_a_retailer_from_another_country_is_refused(client, campaign):
    walk(client, campaign, "purchase")
    response = client.post(f"{URL}purchase/", {**PURCHASE, "retailer": "elgiganten-se"})
    assert response.status_code == 422
    assert "Choose a retailer in the country you bought in." in response.content.decode()


def test_the_live_quote_endpoint_answers_a_fragment(client, campaign):
    response = client.post(f"{URL}quote/", {**PURCHASE, "price_0": "20000"}, headers=XHR)
    page = response.content.decode()
    assert response.status_code == 200
    assert "NOK\u00a01,455.00" in page
    assert "the most this campaign pays per claim" in page


def test_after_the_deadline_the_wizard_says_so_and_keeps_nothing(client, campaign):
    code = code_new(campaign)
    with time_machine.travel("2019-09-10T00:00:00Z", tick=False):
        page = client.get(URL).content.decode()
        response = client.post(f"{URL}code/", {"code": code})
    assert "The claim period has ended" in page
    assert "The terms do not allow later claims" in page
    assert "The claim period has ended" in response.content.decode()
    assert ClaimDraft.objects.count() == 0


def test_a_paused_campaign_closes_the_wizard_and_keeps_nothing(client, campaign):
    campaign_pause(campaign=campaign, actor=staff_user("campaign_manager", "m1@rabatt.test"))
    code = code_new(campaign)
    with time_machine.travel("2019-08-01T10:00:00Z", tick=False):
        page = client.get(URL).content.decode()
        response = client.post(f"{URL}code/", {"code": code})
    assert "Claims are paused" in page
    assert "Claims are paused" in response.content.decode()
    assert ClaimDraft.objects.count() == 0
    assert Code.objects.get(code=code.replace("-", "")).status == CodeStatus.AVAILABLE


def test_upload_without_javascript_lists_the_file(client, campaign):
    walk(client, campaign, "files")
    response = client.post(f"{URL}files/", {"file": jpeg("min kvittering.jpg")})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}proof/"
    page = client.get(f"{URL}proof/").content.decode()
    assert "min kvittering.jpg was added." in page
    assert 'aria-label="Remove min kvittering.jpg"' in page
    assert [f.display_name for f in draft_of(client).files.all()] == ["min kvittering.jpg"]


@pytest.mark.parametrize(("name", "data", "code", "message"), [
    ("kvittering.pdf", b"<html><script>x</script></html>", "not_a_pdf",
     "This file is named .pdf but is not a PDF: it may be damaged"),
    ("kvittering.jpg", b"MZ\x90\x00 not a picture", "not_a_jpeg",
     "This file is named .jpg or .jpeg but is not a JPEG picture"),
    ("kvittering.gif", b"GIF89a\x01\x00", "unsupported_type",
     "Only PDF and JPEG files are accepted (PNG is converted)."),
])
def test_a_refused_upload_without_javascript_says_why_and_stores_nothing(
        client, campaign, name, data, code, message):
    walk(client, campaign, "files")
    declared = {"pdf": "application/pdf", "jpg": "image/jpeg", "gif": "image/gif"}
    upload = SimpleUploadedFile(name, data, content_type=declared[name.rsplit(".", 1)[1]])
    response = client.post(f"{URL}files/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 415
    assert message in page
    assert f'data-code="{code}"' in page
    assert ReceiptFile.objects.count() == 0


def test_an_xhr_upload_answers_json_with_the_new_list(client, campaign):
    walk(client, campaign, "files")
    response = client.post(f"{URL}files/", {"file": jpeg()}, headers=XHR)
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is True
    assert body["count"] == 1
    assert "kvittering.jpg" in body["html"]
    refused = client.post(f"{URL}files/", {"file": SimpleUploadedFile("x.pdf", b"")},
                          headers=XHR)
    assert refused.status_code == 422
    assert refused.json()["code"] in {"empty_file", "no_file"}
    assert ReceiptFile.objects.count() == 1


def test_proof_step_needs_a_file(client, campaign):
    walk(client, campaign, "files")
    response = client.post(f"{URL}proof/")
    assert response.status_code == 422
    assert "Add at least one proof of purchase" in response.content.decode()


def test_removing_another_drafts_file_is_refused(client, campaign):
    walk(client, campaign, "proof")
    mine = draft_of(client).files.get()
    other = Client()
    walk(other, campaign, "proof")
    response = other.post(f"{URL}files/{mine.pk}/remove/")
    assert response.status_code == 404
    assert ReceiptFile.objects.filter(pk=mine.pk).exists()
    assert ReceiptFile.objects.count() == 2
    own = client.post(f"{URL}files/{mine.pk}/remove/", headers=XHR)
    assert own.json()["count"] == 0
    assert not ReceiptFile.objects.filter(pk=mine.pk).exists()


def test_the_file_view_serves_only_the_owner_with_safe_headers(client, campaign):
    walk(client, campaign, "proof")
    receipt = draft_of(client).files.get()
    response = client.get(f"{URL}files/{receipt.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content[:3] == b"\xff\xd8\xff"
    assert Client().get(f"{URL}files/{receipt.pk}/").status_code == 404


def test_every_step_checks_the_earlier_steps_again(client, campaign):
    assert client.get(f"{URL}review/")["Location"] == f"{URL}code/"
    code = walk(client, campaign, "review")
    assert client.get(f"{URL}review/").status_code == 200
    # Someone else used the code meanwhile: the wizard goes back to the code step.
    Code.objects.filter(campaign=campaign).update(status=CodeStatus.USED)
    assert client.get(f"{URL}details/")["Location"] == f"{URL}code/"
    assert client.post(f"{URL}review/", DECLARATIONS)["Location"] == f"{URL}code/"
    assert Claim.objects.count() == 0
    assert code


def test_a_purchase_date_that_left_the_window_sends_the_wizard_back(client, campaign):
    walk(client, campaign, "review")
    draft = draft_of(client)
    draft.data = {**draft.data, "purchase": {**draft.data["purchase"],
                                             "purchased_on": "2019-07-01"}}
    draft.save()
    assert client.get(f"{URL}review/")["Location"] == f"{URL}purchase/"


def test_bank_refusals_are_shown_on_their_field(client, campaign):
    walk(client, campaign, "details")
    response = client.post(f"{URL}details/", {**DETAILS, "iban": "NO94 8601 1117 947"})
    page = response.content.decode()
    assert response.status_code == 422
    # The refusal names what was typed.
    assert "The check digits of “NO94 8601 1117 947” are wrong" in page
    assert 'href="#id_iban"' in page
    assert "details" not in draft_of(client).data


def test_bank_fields_follow_the_country(client, campaign):
    walk(client, campaign, "purchase")
    client.post(f"{URL}purchase/", {**PURCHASE, "country": "US", "retailer": "best-buy-us"})
    client.post(f"{URL}files/", {"file": jpeg()})
    client.post(f"{URL}proof/")
    page = client.get(f"{URL}details/").content.decode()
    assert 'name="routing_number"' in page
    assert 'name="account_type"' in page
    assert 'name="iban"' not in page


def test_details_are_sealed_in_the_draft(client, campaign):
    walk(client, campaign, "review")
    stored = str(draft_of(client).data)
    assert "Nordmann" not in stored
    assert "8601" not in stored


def test_review_needs_every_declaration(client, campaign):
    walk(client, campaign, "review")
    response = client.post(f"{URL}review/", {**DECLARATIONS, "terms_accepted": ""})
    assert response.status_code == 422
    assert "Accept the terms and conditions to send the claim." in response.content.decode()
    assert Claim.objects.count() == 0


def test_submit_creates_exactly_one_claim_and_a_double_submit_no_second(client, campaign):
    walk(client, campaign, "review")
    first = client.post(f"{URL}review/", DECLARATIONS)
    second = client.post(f"{URL}review/", DECLARATIONS)
    assert first["Location"] == f"{URL}done/"
    assert second["Location"] == f"{URL}done/"
    claim = Claim.objects.get()
    assert claim.terms_version == "2019.1"
    assert claim.files.count() == 1
    page = client.get(f"{URL}done/").content.decode()
    assert claim.reference in page
    assert f"/track/?reference={claim.reference}" in page


def test_the_wizard_resumes_where_it_was_left(client, campaign):
    walk(client, campaign, "details")
    assert client.get(URL)["Location"] == f"{URL}details/"


# -- tracker and answer ----------------------------------------------------------------------


def submitted_claim(client: Client, campaign: Campaign) -> Claim:
    walk(client, campaign, "")
    return Claim.objects.get()


def test_the_tracker_shows_the_claim(client, campaign):
    claim = submitted_claim(client, campaign)
    response = Client().post("/track/", {"reference": claim.reference.lower(),
                                         "email": "KARI@example.no"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="submitted"' in page
    assert claim.reference in page


def test_the_tracker_is_rate_limited_per_reference(client, campaign):
    tracker = Client()
    answers = [tracker.post("/track/", {"reference": "RB-AAAA-BBBB", "email": "x@example.no"})
               for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429


def test_the_answer_page_takes_files_one_at_a_time_and_corrections(client, campaign):
    claim = submitted_claim(client, campaign)
    agent = get_user_model().objects.create_user(username="agent")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"], message="Blurred.")
    consumer = Client()
    page = consumer.get(f"/claims/answer/{token}/").content.decode()
    assert "The proof of purchase is not readable" in page
    assert "Blurred." in page
    added = consumer.post(f"/claims/answer/{token}/files/", {"file": jpeg("ny.jpg")})
    assert added.status_code == 302
    staged = ReceiptFile.objects.get(claim__isnull=True, display_name="ny.jpg")
    assert Client().get(f"/claims/answer/{token}/files/{staged.pk}/").status_code == 404
    assert consumer.get(f"/claims/answer/{token}/files/{staged.pk}/").status_code == 200
    done = consumer.post(f"/claims/answer/{token}/", {
        "message": "Here it is.", "city": "Bergen", "first_name": "Kari",
        "last_name": "Nordmann", "postcode": "0155", "address_line1": "Storgata 1"})
    assert "is back in review" in done.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.city == "Bergen"
    assert sorted(f.display_name for f in claim.files.all()) == ["kvittering.jpg", "ny.jpg"]
    assert not ReceiptFile.objects.filter(claim__isnull=True, display_name="ny.jpg").exists()
    event = claim.events.get(kind="answer_info")
    assert event.data["corrected"] == ["city"]
    again = consumer.get(f"/claims/answer/{token}/")
    assert again.status_code == 404


def test_an_empty_answer_is_refused_and_changes_nothing(client, campaign):
    claim = submitted_claim(client, campaign)
    agent = get_user_model().objects.create_user(username="agent")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    current = {"first_name": "Kari", "last_name": "Nordmann", "postcode": "0155",
               "address_line1": "Storgata 1", "city": "Oslo"}
    response = Client().post(f"/claims/answer/{token}/", current)
    assert response.status_code == 422
    assert "Add a document, a correction or a message." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED


@pytest.mark.parametrize(("country", "retailer", "typed", "estimate"), [
    ("NO", "elkjop-no", "4 990,00", "NOK\u00a0748.50"),
    ("NO", "elkjop-no", "4.990,00", "NOK\u00a0748.50"),
    ("NO", "elkjop-no", "4990,-", "NOK\u00a0748.50"),
    ("NO", "elkjop-no", "kr 4 990", "NOK\u00a0748.50"),
    ("GB", "john-lewis-gb", "£399.00", "£59.85"),
    ("GB", "john-lewis-gb", "399", "£59.85"),
])
def test_the_live_estimate_reads_prices_as_people_type_them(client, campaign, country, retailer,
                                                             typed, estimate):
    response = client.post(f"{URL}quote/", {**PURCHASE, "country": country,
                                            "retailer": retailer, "price_0": typed},
                           headers=XHR)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"You get {estimate} back" in page


def test_a_price_that_is_no_price_is_refused_on_its_field(client, campaign):
    walk(client, campaign, "purchase")
    response = client.post(f"{URL}purchase/", {**PURCHASE, "price_0": "4 99 0,00"})
    assert response.status_code == 422
    assert 'id="id_price_0_error"' in response.content.decode()
def test_details_refuse_a_postcode_of_another_country_naming_it(client, campaign):
    walk(client, campaign, "details")
    response = client.post(f"{URL}details/", {**DETAILS, "postcode": "SW1A 1AA"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "“SW1A 1AA” is not a postcode in Norway. Write it like this: 0155." in page
    assert 'href="#id_postcode"' in page
    assert "details" not in draft_of(client).data


def test_details_refuse_a_phone_number_in_the_consumers_language(campaign):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    walk(visitor, campaign, "details")
    response = visitor.post(f"{URL}details/", {**DETAILS, "phone": "12 34"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "«12 34» er ikke et telefonnummer vi kan nå i Norge." in page


def test_phone_is_stored_in_e164_and_shown_as_the_country_writes_it(client, campaign):
    walk(client, campaign, "details")
    response = client.post(f"{URL}details/", {**DETAILS, "phone": "912 34 567",
                                              "postcode": " 0155 "})
    assert response.status_code == 302
    review = client.get(f"{URL}review/").content.decode()
    assert "91 23 45 67" in review
    assert "+4791234567" not in review
    client.post(f"{URL}review/", DECLARATIONS)
    claim = Claim.objects.get()
    assert (claim.phone, claim.postcode) == ("+4791234567", "0155")


def test_a_us_claim_takes_a_zip_code_and_an_american_phone(client, campaign):
    walk(client, campaign, "purchase")
    client.post(f"{URL}purchase/", {**PURCHASE, "country": "US", "retailer": "best-buy-us",
                                    "price_0": "399.00"})
    client.post(f"{URL}files/", {"file": jpeg()})
    client.post(f"{URL}proof/")
    us = {**{k: v for k, v in DETAILS.items() if k != "iban"}, "postcode": "0155",
          "city": "Washington", "phone": "202-456-1111", "routing_number": "021000021",
          "account_number": "123456789", "account_type": "checking"}
    refused = client.post(f"{URL}details/", us).content.decode()
    assert "“0155” is not a postcode in United States. Write it like this: 20500." in refused
    assert client.post(f"{URL}details/", {**us, "postcode": "20500 1234"}).status_code == 302
    client.post(f"{URL}review/", DECLARATIONS)
    claim = Claim.objects.get()
    assert (claim.postcode, claim.phone) == ("20500-1234", "+12024561111")


def test_an_answer_correcting_the_postcode_is_checked_for_the_country(client, campaign):
    claim = submitted_claim(client, campaign)
    agent = get_user_model().objects.create_user(username="agent")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    current = {"first_name": "Kari", "last_name": "Nordmann", "postcode": "0155",
               "address_line1": "Storgata 1", "city": "Oslo"}
    refused = Client().post(f"/claims/answer/{token}/", {**current, "postcode": "01555"})
    assert refused.status_code == 422
    assert "“01555” is not a postcode in Norway." in refused.content.decode()
    done = Client().post(f"/claims/answer/{token}/", {**current, "postcode": "5013",
                                                      "phone": "22 24 90 90"})
    assert done.status_code == 200
    claim.refresh_from_db()
    assert (claim.postcode, claim.phone, claim.status) == ("5013", "+4722249090",
                                                           ClaimStatus.IN_REVIEW)


def test_purchase_country_sets_the_language_of_the_wizard_and_the_claim(campaign):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    walk(visitor, campaign, "proof")
    proof = visitor.get(f"{URL}proof/")
    assert '<html lang="nb">' in proof.content.decode()
    for step, data in (("files", {"file": jpeg()}), ("proof", {}), ("details", DETAILS),
                       ("review", DECLARATIONS)):
        assert visitor.post(f"{URL}{step}/", data).status_code == 302, step
    assert Claim.objects.get().locale == "nb"


def test_menu_choice_beats_the_purchase_country(client, campaign):
    walk(client, campaign, "")
    assert Claim.objects.get().locale == "en"


def test_claim_link_language_beats_the_purchase_country(campaign):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    visitor.get("/c/sonos-summer-2019/?lang=fi")
    walk(visitor, campaign, "")
    assert Claim.objects.get().locale == "fi"


def test_a_country_of_purchase_in_english_keeps_english(campaign):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="nb")
    walk(visitor, campaign, "purchase")
    visitor.post(f"{URL}purchase/", {**PURCHASE, "country": "US", "retailer": "best-buy-us",
                                     "price_0": "399.00"})
    assert '<html lang="en">' in visitor.get(f"{URL}proof/").content.decode()


# -- device id and the retailer list without JavaScript ---------------------------------------


def test_the_wizard_gives_the_browser_a_device_id_and_the_claim_keeps_its_hash(client,
                                                                              campaign):
    first = client.get(f"{URL}code/")
    device = first.cookies["rabatt_device"]
    assert len(device.value) == 32
    assert device["httponly"]
    assert device["samesite"] == "Lax"
    assert "rabatt_device" not in client.get(f"{URL}code/").cookies  # kept, not renewed
    walk(client, campaign, "")
    claim = Claim.objects.get()
    assert claim.device_fingerprint == device_fingerprint_of(device.value)
    assert device.value not in claim.device_fingerprint


def test_a_browser_that_sends_no_valid_device_id_gets_a_new_one(client, campaign):
    client.cookies["rabatt_device"] = "<script>"
    response = client.get(f"{URL}code/")
    assert response.cookies["rabatt_device"].value != "<script>"
    walk(client, campaign, "")
    assert Claim.objects.get().device_fingerprint == device_fingerprint_of(
        response.cookies["rabatt_device"].value)


def _groups(page: str) -> list[tuple[str, list[str]]]:
    select = re.search(r'<select name="retailer".*?</select>', page, re.S)
    assert select is not None
    return [(label, re.findall(r'<option value="([^"]+)"', body)) for label, body in
            re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(0), re.S)]


def test_without_javascript_the_retailers_are_grouped_by_country_the_known_one_first(
        campaign):
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.get("/c/sonos-summer-2019/?lang=nb")
    walk(client, campaign, "purchase")
    page = client.get(f"{URL}purchase/?country=SE").content.decode()
    groups = _groups(page)
    assert groups[0][0] == "Sverige"
    assert set(groups[0][1]) == set(campaign.retailers.filter(country="SE")
                                    .values_list("code", flat=True))
    labels = [label for label, _codes in groups]
    assert {"Norge", "Danmark"} <= set(labels)
    assert labels[1:] == sorted(labels[1:])
    assert sum(len(codes) for _label, codes in groups) == campaign.retailers.count()
    # A refused purchase shows the list again with the country it chose first.
    refused = client.post(f"{URL}purchase/", {**PURCHASE, "retailer": "elgiganten-se"})
    assert refused.status_code == 422
    assert _groups(refused.content.decode())[0][0] == "Norge"
    assert "purchase" not in draft_of(client).data
