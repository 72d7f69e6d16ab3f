import json

import pytest

from rabatt.campaigns.services import campaign_pause, campaign_resume
from rabatt.claims.models import Claim, ClaimEvent
from rabatt.claims.tests.factories import code_new, payload, post_claim, receipt_jpeg
from rabatt.codes.models import Code, CodeStatus
from rabatt.core.models import IdempotencyRecord
from rabatt.receipts.models import ReceiptFile
from rabatt.review.presenters import claim_signals
from rabatt.review.tests.factories import staff_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("during_campaign")]


def code_status(code: str) -> str:
    return Code.objects.get(code=code.replace("-", "")).status


def test_submit_returns_201_and_stores_everything(client, campaign, smtp):
    code = code_new(campaign)
    response = post_claim(client, payload(code), files=[
        ("kvittering.jpg", receipt_jpeg(), "image/jpeg"),
        ("faktura.jpg", receipt_jpeg("FAKTURA"), "image/jpeg"),
    ])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"reference": body["reference"], "status": "submitted", "amount": "748.50",
                    "currency": "NOK"}
    claim = Claim.objects.get(reference=body["reference"])
    assert claim.retailer is not None
    assert (claim.first_name, claim.email, claim.locale, claim.retailer.code) == (
        "Kari", "kari@example.no", "nb", "elkjop-no")
    assert claim.terms_version
    assert claim.declarations == {"adult": True, "end_user": True, "own_claim": True,
                                  "terms_accepted": True}
    assert [(x.product.code, x.price) for x in claim.lines.all()] == [("beam", 4990)]
    assert claim.bank.masked.startswith("NO93")
    assert b"8601" not in bytes(claim.bank.sealed)
    assert ReceiptFile.objects.filter(claim=claim).count() == 2
    assert code_status(code) == CodeStatus.USED
    # The receipts are read after the submission commits, which writes the second event.
    assert list(claim.events.values_list("kind", flat=True)) == ["submitted", "receipts_checked"]
    assert claim_signals(claim=claim)["receipts"]["status"] == "done"
    assert smtp.subjects() == [f"Vi har mottatt søknaden din {claim.reference}"]
    assert "/track/?reference=" in smtp.text()


def test_files_are_sealed_on_disk(client, campaign, settings):
    response = post_claim(client, payload(code_new(campaign)))
    claim = Claim.objects.get(reference=response.json()["reference"])
    stored = list((settings.MEDIA_ROOT / "receipts").rglob("*.sealed"))
    assert stored
    receipt = ReceiptFile.objects.get(claim=claim)
    from rabatt.receipts.services import receipt_read

    plain = receipt_read(receipt=receipt)
    assert plain.startswith(b"\xff\xd8")
    assert all(not p.read_bytes().startswith(b"\xff\xd8") for p in stored)
    assert all("kvittering" not in p.name for p in stored)


def test_second_claim_with_the_same_code_is_409_and_changes_nothing(client, campaign):
    code = code_new(campaign)
    assert post_claim(client, payload(code)).status_code == 201
    again = post_claim(client, payload(code, person__email="other@example.no"))
    assert again.status_code == 409
    assert again.json()["code"] == "code_already_used"
    assert Claim.objects.count() == 1
    assert ReceiptFile.objects.count() == 1


def test_ineligible_purchase_is_422_with_reason_codes(client, campaign):
    code = code_new(campaign)
    response = post_claim(client, payload(code, purchase__purchased_at="2019-07-01T00:00:00Z",
                                          purchase__retailer="power-dk"))
    assert response.status_code == 422
    assert [r["code"] for r in response.json()["reasons"]] == [
        "retailer_not_authorised", "purchase_outside_window"]
    assert code_status(code) == CodeStatus.AVAILABLE
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person__email": "not-an-email"}, "person.email"),
        ({"purchase__purchased_at": "2019-07-25T14:03:00"}, "purchase.purchased_at"),
        ({"purchase__lines": []}, "purchase.lines"),
        ({"purchase__lines": [{"product": "beam", "price": "-5"}]}, "purchase.lines.0.price"),
        ({"declarations__adult": "maybe"}, "declarations.adult"),
        ({"locale": "pt"}, "locale"),
    ],
)
def test_invalid_fields_are_422(client, campaign, change, field):
    code = code_new(campaign)
    response = post_claim(client, payload(code, **change))
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["detail"]]
    assert code_status(code) == CodeStatus.AVAILABLE


@pytest.mark.parametrize(
    ("change", "code_expected"),
    [
        ({"declarations__adult": False}, "declarations_required"),
        ({"bank__iban": "NO93 8601 1117 948"}, "iban_invalid_checksum"),
        ({"bank__iban": "SE45 5000 0000 0583 9825 7466"}, "iban_wrong_country"),
        ({"person__address__country": "SE"}, "country_mismatch"),
        ({"purchase__purchased_at": "2019-08-05T10:00:00Z"}, "purchase_in_future"),
    ],
)
def test_refusals_keep_the_code_available(client, campaign, change, code_expected):
    code = code_new(campaign)
    response = post_claim(client, payload(code, **change))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code_expected
    assert code_status(code) == CodeStatus.AVAILABLE
    assert not Claim.objects.exists()


def test_code_typo_and_unknown_code(client, campaign):
    code = code_new(campaign)
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    response = post_claim(client, payload(typo))
    assert (response.status_code, response.json()["code"]) == (422, "code_invalid")
    other = code_new(campaign_factory_other())
    response = post_claim(client, payload(other))
    assert response.json()["code"] == "code_unknown"


def campaign_factory_other():
    from rabatt.campaigns.tests.factories import campaign_factory

    return campaign_factory(slug="other-campaign")


def test_no_file_and_too_many_files(client, campaign):
    code = code_new(campaign)
    response = post_claim(client, payload(code), files=[])
    assert (response.status_code, response.json()["code"]) == (422, "proof_required")
    many = [(f"r{i}.jpg", receipt_jpeg(), "image/jpeg") for i in range(11)]
    assert post_claim(client, payload(code), files=many).status_code == 422


def test_file_over_2_mib_is_413(client, campaign):
    big = receipt_jpeg() + b"\0" * (2 * 1024 * 1024)
    response = post_claim(client, payload(code_new(campaign)),
                          files=[("big.jpg", big, "image/jpeg")])
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_wrong_file_type_is_415(client, campaign):
    response = post_claim(client, payload(code_new(campaign)),
                          files=[("receipt.gif", b"GIF89a\x01\x00", "image/gif")])
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_type"
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(("name", "kind", "code", "message"), [
    ("receipt.pdf", "application/pdf", "not_a_pdf", "This file is named .pdf but is not a PDF"),
    ("receipt.jpg", "image/jpeg", "not_a_jpeg",
     "This file is named .jpg or .jpeg but is not a JPEG picture"),
])
def test_a_file_that_is_not_what_its_name_says_is_415_saying_so(client, campaign, name, kind,
                                                                 code, message):
    code_text = code_new(campaign)
    response = post_claim(client, payload(code_text, locale="en"),
                          files=[(name, b"<html><body>hi</body></html>", kind)])
    assert response.status_code == 415
    assert response.json()["code"] == code
    assert response.json()["message"].startswith(message)
    assert Claim.objects.count() == 0
    assert code_status(code_text) == CodeStatus.AVAILABLE


def test_not_multipart_and_bad_json(client, campaign):
    response = client.post("/api/v1/claims", json.dumps(payload("x")),
                           content_type="application/json")
    assert response.status_code == 415
    response = client.post("/api/v1/claims", {"claim": "{nope"})
    assert response.status_code == 422


def test_idempotency_key_returns_the_first_answer(client, campaign, smtp):
    code = code_new(campaign)
    first = post_claim(client, payload(code), HTTP_IDEMPOTENCY_KEY="abc-123")
    second = post_claim(client, payload(code), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Claim.objects.count() == 1
    assert list(ClaimEvent.objects.values_list("kind", flat=True)) == ["submitted",
                                                                       "receipts_checked"]
    assert len(smtp.messages) == 1
    other = post_claim(client, payload(code, person__first_name="Ola"),
                       HTTP_IDEMPOTENCY_KEY="abc-123")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert IdempotencyRecord.objects.count() == 1


def test_a_failed_request_does_not_burn_its_idempotency_key(client, campaign):
    code = code_new(campaign)
    bad = post_claim(client, payload(code, declarations__adult=False), HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 422
    good = post_claim(client, payload(code), HTTP_IDEMPOTENCY_KEY="k2")
    assert good.status_code == 201


def test_non_iban_country(client, campaign):
    code = code_new(campaign)
    data = payload(
        code, person__address__country="US", person__address__postcode="20500",
        person__address__city="Washington", person__phone="(202) 456-1111",
        purchase__country="US",
        purchase__retailer="best-buy-us",
        bank={"account_holder": "Kari Nordmann", "account_number": "123456789",
              "bank_code": "021000021"},
    )
    data["purchase"]["lines"] = [{"product": "beam", "price": "399.00"}]
    response = post_claim(client, data)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "59.85"
    assert response.json()["currency"] == "USD"



def test_files_are_vetted_only_after_the_code_passes(client, campaign):
    from rabatt.receipts.tests import hostile

    bomb = hostile.pdf_deflate_bomb(200)
    other = code_new(campaign_factory_other())
    # An unknown code is answered as such: the PDF was never opened.
    response = post_claim(client, payload(other), files=[("r.pdf", bomb, "application/pdf")])
    assert (response.status_code, response.json()["code"]) == (404, "code_unknown")
    code = code_new(campaign)
    response = post_claim(client, payload(code), files=[("r.pdf", bomb, "application/pdf")])
    assert (response.status_code, response.json()["code"]) == (422, "pdf_too_complex")
    assert code_status(code) == CodeStatus.AVAILABLE
    assert not Claim.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("person__first_name", "Kari\r\nBcc: everyone@example.com"),
    ("person__last_name", "Nordmann\n"),
    ("person__address__city", "Oslo\u2028Bergen"),
    ("bank__account_holder", "Kari\rNordmann"),
])
def test_line_breaks_in_names_are_refused(client, campaign, field, value):
    code = code_new(campaign)
    response = post_claim(client, payload(code, **{field: value}))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [d["field"] for d in body["detail"]] == [field.replace("__", ".")]
    assert code_status(code) == CodeStatus.AVAILABLE
def test_postcode_of_another_country_is_refused_in_the_request_language(client, campaign):
    data = payload(code_new(campaign), locale="de", person__address__postcode="SW1A 1AA")
    response = post_claim(client, data)
    assert response.status_code == 422
    assert response.json() == {
        "code": "postcode_invalid", "fields": {"person.postcode": "format"},
        "message": "„SW1A 1AA“ ist keine Postleitzahl (Norwegen). Schreib sie so: 0155."}
    assert Claim.objects.count() == 0


def test_phone_that_no_one_can_call_is_refused(client, campaign):
    response = post_claim(client, payload(code_new(campaign), locale="en", person__phone="555"))
    assert response.status_code == 422
    assert response.json()["code"] == "phone_invalid"
    assert response.json()["message"].startswith(
        "“555” is not a phone number we can reach in Norway.")


def test_postcode_and_phone_are_stored_normalised(client, campaign):
    data = payload(code_new(campaign), person__address__postcode="NO-0155",
                   person__phone="+47 912 34 567")
    assert post_claim(client, data).status_code == 201
    claim = Claim.objects.get()
    assert (claim.postcode, claim.phone) == ("0155", "+4791234567")


def test_an_irish_claim_may_go_without_an_eircode_but_not_a_norwegian_one(client, campaign):
    irish = payload(code_new(campaign), person__address__country="IE",
                    person__address__postcode="", person__address__city="Dublin",
                    person__phone="01 618 3000", purchase__country="IE",
                    purchase__retailer="harvey-norman-ie",
                    bank={"account_holder": "Kari Nordmann", "iban": "IE29 AIBK 9311 5212 3456 78"})
    irish["purchase"]["lines"] = [{"product": "beam", "price": "449.00"}]
    response = post_claim(client, irish)
    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert (claim.postcode, claim.phone) == ("", "+35316183000")
    norwegian = post_claim(client, payload(code_new(campaign), person__address__postcode=""))
    assert norwegian.status_code == 422
    assert norwegian.json()["fields"] == {"person.postcode": "required"}


def test_a_paused_campaign_refuses_claims_with_409_and_changes_nothing(client, campaign):
    manager = staff_user("campaign_manager", "m1@rabatt.test")
    campaign_pause(campaign=campaign, actor=manager)
    code = code_new(campaign)
    response = post_claim(client, payload(code))
    assert response.status_code == 409, response.content
    assert response.json() == {
        "code": "campaign_paused",
        # In the claim's language (the payload's locale is nb).
        "message": "Denne kampanjen er satt på pause og tar ikke imot nye søknader akkurat "
                   "nå. Prøv igjen senere."}
    assert (Claim.objects.count(), ReceiptFile.objects.count()) == (0, 0)
    assert code_status(code) == CodeStatus.AVAILABLE
    campaign_resume(campaign=campaign, actor=manager)
    assert post_claim(client, payload(code)).status_code == 201
    assert code_status(code) == CodeStatus.USED
