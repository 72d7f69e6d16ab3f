"""Finance polish: money with its currency, the BIC from the IBAN, a build form that says what
is missing, a warning when one account is paid for several claims, ``payouts list``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from rabatt.payouts.services import payer_create, payout_batch_build
from rabatt.payouts.tests.factories import approved_claims, payer
from rabatt.review.tests.factories import verified_client

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("payouts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_bic_is_derived_from_the_iban_when_not_given():
    row = payer_create(name="Rabatt AS", iban="NO93 8601 1117 947", country="NO",
                       currencies=["NOK"])
    assert row.bic == "DABANO22"
    given = payer_create(name="Given", iban="NO9386011117947", bic="dnbanokk", country="NO",
                         currencies=["NOK"])
    assert given.bic == "DNBANOKK"


def test_cli_prints_money_with_currency_and_minor_units_and_lists_batches(campaign, finance,
                                                                          finance2):
    assert run("list")[0] == "No batches yet.\n"
    payer("NOK")
    approved_claims(campaign, 4)  # 748.50 each
    _, err = run("batch", "--currency", "NOK", "--as", "finance@rabatt.test")
    assert "4 payments, NOK\u00a02,994.00;" in err
    listing = run("list")[0].split("\t")
    assert listing[2:6] == ["built", "4 payment(s)", "NOK\u00a02,994.00", "-"]
    out, _ = run("approve", listing[0], "--as", "finance2@rabatt.test")
    assert out.endswith("4 payments, NOK\u00a02,994.00.\n")


def test_the_finance_page_says_a_paying_account_is_missing_and_how_to_add_one(campaign,
                                                                              finance):
    approved_claims(campaign, 1)
    client = verified_client(finance)
    html = client.get("/staff/payouts/").content.decode()
    assert 'data-missing="payer"' in html
    assert "rabatt payouts payer add" in html
    assert "NOK\u00a0748.50" in html  # the queue's total
    refused = client.post("/staff/payouts/build/", {"currency": "NOK"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "rabatt payouts payer add NAME --iban IBAN --country CC --currency CUR" in body
    assert "This field is required" not in body
    payer("NOK")
    assert 'data-missing="payer"' not in client.get("/staff/payouts/").content.decode()


def test_batch_and_desk_warn_when_one_account_is_paid_for_several_claims(campaign, finance):
    payer("NOK")
    approved_claims(campaign, 1, iban="NO7186011117955")
    approved_claims(campaign, 1, iban="NO6586011234560")
    same = approved_claims(campaign, 2)  # both paid to NO93 8601 1117 947
    batch = payout_batch_build(actor=finance, currency="NOK")
    client = verified_client(finance)
    html = client.get(f"/staff/payouts/batches/{batch.pk}/").content.decode()
    assert html.count('data-warning="shared-accounts"') == 1
    assert "2 claims, NOK\u00a01,497.00" in html
    for claim in same:
        assert f"/staff/claims/{claim.reference}/" in html
    desk = client.get(f"/staff/claims/{same[0].reference}/").content.decode()
    assert 'data-warning="shared-account"' in desk
    assert "receives the money of 1 other claim." in desk
    assert "NOK\u00a0748.50" in desk  # the claimed amount, with its currency
