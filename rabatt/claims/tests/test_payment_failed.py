"""A failed payment to paid: the e-mail, the page for new bank details, the tracker."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from rabatt.claims.emails import PAYMENT_FAILED_GENERIC, PAYMENT_FAILURES, payment_failure_label
from rabatt.claims.models import BankDetails, Claim, ClaimStatus, InfoRequestToken
from rabatt.claims.services import claim_mark_payment_failed
from rabatt.claims.tests.factories import claim_factory, factory_staff

pytestmark = pytest.mark.django_db(transaction=True)

NEW_IBAN = "NO38 1503 0123 457"


@pytest.fixture
def failed(campaign: Any, smtp: Any) -> tuple[Claim, str]:
    """A Norwegian claim whose payment the bank returned with AC04 (closed account)."""
    claim = claim_factory(campaign, status="approved", locale="nb")
    claim, token = claim_mark_payment_failed(claim_id=claim.pk, reason="AC04",
                                             data={"reason_code": "AC04",
                                                   "reason_text": "Closed account number"})
    return claim, token


def english_browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def nb(text: Any) -> str:
    """``text`` (a msgid, or a lazy translation) in Bokmål."""
    with translation.override("nb"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def test_the_reason_is_told_in_the_consumers_words_per_code() -> None:
    with translation.override("en"):
        assert payment_failure_label("AC04") == "The account is closed."
        assert payment_failure_label("ac01") == "The account number is not correct."
        assert payment_failure_label("BE01") == ("The name of the account holder does not match "
                                                 "the account.")
        # An unknown code, or none, still gets a sentence, never the code itself.
        assert payment_failure_label("XX99") == str(PAYMENT_FAILED_GENERIC)
        assert payment_failure_label("") == str(PAYMENT_FAILED_GENERIC)
        assert payment_failure_label("Closed account number") == str(PAYMENT_FAILED_GENERIC)


def test_the_email_links_to_the_bank_page_with_the_reason_in_the_claims_language(failed, smtp):
    _claim, token = failed
    text = smtp.text()
    assert f"/claims/bank/{token}/" in text
    assert f"/claims/answer/{token}/" not in text
    assert "Closed account number" not in text  # the bank's English text stays for staff
    assert nb(PAYMENT_FAILURES["AC04"]) in text
    # Nothing asks for documents: "What we need" lists information-request reasons only.
    assert nb("What we need:") not in text


def test_the_page_speaks_the_claims_language_and_shows_the_reason(failed):
    claim, token = failed
    page = english_browser().get(f"/claims/bank/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="nb"' in html
    assert nb("Account holder") != "Account holder"
    assert nb("Account holder") in html
    assert nb(PAYMENT_FAILURES["AC04"]) in html
    assert 'data-payment-failure="AC04"' in html
    assert claim.bank.masked in html
    assert 'name="iban"' in html
    assert 'name="account_holder"' in html
    assert 'value="Kari Nordmann"' in html  # prefilled with the claimant's name


def test_a_chosen_language_wins_over_the_claims(failed):
    _claim, token = failed
    browser = english_browser()
    browser.cookies["django_language"] = "en"
    html = browser.get(f"/claims/bank/{token}/").content.decode()
    assert '<html lang="en"' in html
    assert "The account is closed." in html


def test_a_wrong_account_is_refused_on_its_field_and_changes_nothing(failed):
    claim, token = failed
    before = BankDetails.objects.get(claim=claim).sealed
    page = english_browser().post(f"/claims/bank/{token}/", {
        "account_holder": "Kari Nordmann", "iban": "NO38 1503 0123 458"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="id_iban_error"' in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYMENT_FAILED
    assert bytes(BankDetails.objects.get(claim=claim).sealed) == bytes(before)
    assert InfoRequestToken.objects.get(claim=claim).used_at is None  # the link still works


def test_the_holder_name_is_required(failed):
    claim, token = failed
    page = english_browser().post(f"/claims/bank/{token}/", {"account_holder": " ",
                                                             "iban": NEW_IBAN})
    assert page.status_code == 422
    assert 'id="id_account_holder_error"' in page.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYMENT_FAILED


def test_new_details_send_the_claim_back_to_finance_once(failed, smtp):
    claim, token = failed
    browser = english_browser()
    done = browser.post(f"/claims/bank/{token}/", {"account_holder": "Kari Nordmann",
                                                   "iban": NEW_IBAN})
    assert done.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.bank.masked.startswith("NO38")
    assert claim.bank.masked in done.content.decode()
    kinds = list(claim.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["mark_payment_failed", "bank_details_changed", "retry_payment"]
    assert claim.events.get(kind="bank_details_changed").data == {"masked": claim.bank.masked}
    # The link works once.
    assert browser.get(f"/claims/bank/{token}/").status_code == 404
    again = browser.post(f"/claims/bank/{token}/", {"account_holder": "Kari Nordmann",
                                                    "iban": NEW_IBAN})
    assert again.status_code == 404
    assert claim.events.filter(kind="retry_payment").count() == 1


def test_an_account_in_another_name_goes_to_an_agent_first(failed):
    claim, token = failed
    done = english_browser().post(f"/claims/bank/{token}/", {
        "account_holder": "Ola Hansen", "iban": NEW_IBAN})
    assert done.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    event = claim.events.get(kind="rectify_bank")
    assert (event.from_status, event.data) == (ClaimStatus.PAYMENT_FAILED,
                                               {"holder_name_differs": True})


def test_the_old_answer_link_leads_to_the_bank_page(failed):
    _claim, token = failed
    response = english_browser().get(f"/claims/answer/{token}/")
    assert (response.status_code, response["Location"]) == (302, f"/claims/bank/{token}/")


def test_an_information_request_link_is_not_a_bank_page(campaign, smtp):
    from rabatt.claims.services import claim_request_info

    claim = claim_factory(campaign, status="in_review")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=factory_staff(),
                                       reasons=["receipt_unreadable"])
    response = english_browser().get(f"/claims/bank/{token}/")
    assert (response.status_code, response["Location"]) == (302, f"/claims/answer/{token}/")


def test_the_tracker_shows_where_a_failed_payment_stands(failed):
    claim, token = failed
    html = english_browser().post("/track/", {"reference": claim.reference,
                                              "email": claim.email}).content.decode()
    marks = re.findall(r'<span aria-hidden="true">(.)</span>', html)
    assert marks == ["✓", "✓", "✓", "⚠"]
    assert 'data-payment-failure="AC04"' in html
    assert claim.bank.masked in html
    english_browser().post(f"/claims/bank/{token}/", {"account_holder": "Kari Nordmann",
                                                      "iban": NEW_IBAN})
    html = english_browser().post("/track/", {"reference": claim.reference,
                                              "email": claim.email}).content.decode()
    marks = re.findall(r'<span aria-hidden="true">(.)</span>', html)
    assert marks == ["✓", "✓", "✓", "○"]
    assert "data-payment-failure" not in html



def test_a_consumer_withdraws_a_claim_from_the_tracker(campaign, smtp):
    claim = claim_factory(campaign, status="in_review")
    browser = english_browser()
    found = {"reference": claim.reference, "email": claim.email}
    html = browser.post("/track/", found).content.decode()
    assert "Withdraw this claim" in html
    unconfirmed = browser.post("/track/", {**found, "action": "withdraw"})
    assert unconfirmed.status_code == 422
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    # Someone with the reference but another e-mail address cannot.
    stranger = browser.post("/track/", {**found, "email": "other@example.no",
                                        "action": "withdraw", "confirm": "yes"})
    assert "We found no claim" in stranger.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    done = browser.post("/track/", {**found, "action": "withdraw", "confirm": "yes"})
    assert "Your claim is withdrawn." in done.content.decode()
    assert 'data-status="withdrawn"' in done.content.decode()
    assert "Withdraw this claim" not in done.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
