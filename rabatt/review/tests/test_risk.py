"""Risk flags with their evidence and the other claims; the queue filters and sorts by risk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from rabatt.claims.models import BankDetails, Claim
from rabatt.claims.services import email_pattern
from rabatt.claims.tests.factories import claim_factory
from rabatt.review import selectors
from rabatt.review.selectors import QueueFilters, claim_risk, claim_risk_flags, queue_page
from rabatt.review.tests.factories import SUBMITTED_AT, verified_client, with_checks

pytestmark = pytest.mark.django_db

SHARED_IBAN = "NO93 8601 1117 947"
OTHER_IBAN = "NO38 1503 0123 457"


def account_claim(campaign: Any, *, email: str = "kari@example.no", iban: str = SHARED_IBAN,
                  price: str = "4990.00", submitted_at: Any = SUBMITTED_AT,
                  holder: str | None = None) -> Claim:
    """A submitted Norwegian claim (a Beam), with the bank account, holder and e-mail given."""
    return claim_factory(campaign, email=email, bank={"iban": iban}, price=price,
                         submitted_at=submitted_at, holder=holder)


def flags_of(claim: Claim) -> dict[str, selectors.RiskFlag]:
    return {f.code: f for f in claim_risk(claim=claim)}


@pytest.mark.parametrize(("email", "pattern"), [
    ("kari.nordmann+3@gmail.com", "karinordmann*@gmail.com"),
    ("KariNordmann7@Gmail.com", "karinordmann*@gmail.com"),
    ("kari.n.2019@example.no", "kari.n*@example.no"),
    ("a1@example.no", ""),  # too short a stem to mean anything
    ("not-an-address", ""),
])
def test_the_email_pattern(email, pattern):
    assert email_pattern(email) == pattern


def test_a_clean_claim_has_no_flags(campaign):
    claim = account_claim(campaign)
    assert claim_risk(claim=claim) == []
    assert not Claim.objects.filter(selectors.risk_q()).exists()


def test_one_bank_account_for_claims_of_different_people(campaign):
    others = [account_claim(campaign, email=f"person{i}@example.no", iban=SHARED_IBAN)
              for i in range(4)]
    claim = account_claim(campaign, email="kari@example.no", iban=SHARED_IBAN)
    alone = account_claim(campaign, email="ola@example.no", iban=OTHER_IBAN)
    flag = flags_of(claim)["bank_shared"]
    assert flag.evidence == "The same bank account is on 4 claims of 4 other people."
    assert set(flag.others) == {c.reference for c in others}
    assert "bank_shared" not in flags_of(alone)
    flagged = set(Claim.objects.filter(selectors.risk_q()).values_list("pk", flat=True))
    assert flagged == {c.pk for c in [*others, claim]}


def test_a_shared_account_of_one_other_person_is_told_in_the_singular(campaign):
    other = account_claim(campaign, email="person@example.no", iban=SHARED_IBAN)
    claim = account_claim(campaign, email="kari@example.no", iban=SHARED_IBAN)
    assert flags_of(claim)["bank_shared"].evidence == (
        "The same bank account is on 1 claim of another person.")
    assert flags_of(other)["bank_shared"].evidence == (
        "The same bank account is on 1 claim of another person.")


def test_the_same_person_twice_is_not_a_shared_account(campaign):
    first = account_claim(campaign, email="kari@example.no")
    account_claim(campaign, email="kari@example.no")
    assert "bank_shared" not in flags_of(first)


DEVICE = "d3v1ce-cookie-of-one-browser-000"
THIRD_IBAN = "NO71 1234 5678 903"


def test_one_browser_for_claims_of_different_people(campaign):
    others = [claim_factory(campaign, email=f"person{i}@example.no", device=DEVICE,
                            bank={"iban": OTHER_IBAN}) for i in range(2)]
    claim = claim_factory(campaign, email="kari@example.no", device=DEVICE)
    elsewhere = claim_factory(campaign, email="ola@example.no", device="x" * 32,
                              bank={"iban": THIRD_IBAN})
    flag = flags_of(claim)["device_shared"]
    assert flag.evidence == "The same browser sent 2 claims of 2 other people."
    assert flag.others == tuple(c.reference for c in others)
    assert flag.weight == 4
    assert "device_shared" not in flags_of(elsewhere)
    # Only the keyed hash is stored, never the cookie itself.
    assert Claim.objects.get(pk=claim.pk).device_fingerprint not in ("", DEVICE)
    assert not Claim.objects.filter(device_fingerprint=DEVICE).exists()
    flagged = set(Claim.objects.filter(selectors.risk_q()).values_list("pk", flat=True))
    assert flagged == {c.pk for c in [*others, claim]}


def test_one_persons_claims_from_one_browser_are_no_flag(campaign):
    first = claim_factory(campaign, email="kari@example.no", device=DEVICE)
    claim_factory(campaign, email="kari@example.no", device=DEVICE, bank={"iban": OTHER_IBAN})
    # Without the cookie: an empty hash matches nothing.
    without = [claim_factory(campaign, email=f"p{i}@example.no", bank={"iban": iban})
               for i, iban in enumerate((THIRD_IBAN, "NO49 1234 5678 911"))]
    assert claim_risk(claim=first) == []
    assert all(claim_risk(claim=c) == [] for c in without)
    assert not Claim.objects.filter(selectors.risk_q()).exists()


def test_the_queue_filters_and_sorts_by_a_shared_browser(campaign, agent):
    plain = claim_factory(campaign, email="ola@example.no", bank={"iban": OTHER_IBAN})
    pair = [claim_factory(campaign, email=f"p{i}@example.no", device=DEVICE,
                          bank={"iban": THIRD_IBAN if i else SHARED_IBAN})
            for i in range(2)]
    risky = queue_page(actor=agent, filters=QueueFilters(risk=True)).rows
    assert {c.pk for c in risky} == {c.pk for c in pair}
    by_risk = queue_page(actor=agent, filters=QueueFilters(sort="risk")).rows
    assert [c.pk for c in by_risk] == [pair[0].pk, pair[1].pk, plain.pk]
    assert [selectors.row_risk_flags(c) for c in by_risk] == [
        ["device_shared"], ["device_shared"], []]
    html = verified_client(agent).get(f"/staff/claims/{pair[0].reference}/").content.decode()
    assert 'data-flag="device_shared"' in html
    assert "The same browser sent 1 claim of another person." in html
    assert f'href="/staff/claims/{pair[1].reference}/"' in html


def test_many_addresses_of_one_pattern(campaign):
    claims = [account_claim(campaign, email=f"kari.nordmann+{i}@gmail.com",
                         iban=OTHER_IBAN if i else SHARED_IBAN) for i in range(3)]
    flag = flags_of(claims[0])["email_pattern"]
    assert flag.evidence == ("3 claims come from 3 addresses of the pattern "
                             "karinordmann*@gmail.com.")
    assert flag.others == (claims[1].reference, claims[2].reference)
    # Two addresses are not yet a pattern.
    Claim.objects.filter(pk=claims[2].pk).delete()
    assert "email_pattern" not in flags_of(claims[0])


def test_receipt_fields_that_contradict_the_claim(campaign):
    claim = with_checks(account_claim(campaign), {"fields": {
        "retailer": {"entered": "Elkjøp", "read": "Power", "status": "mismatch",
                     "confidence": 0.9, "file": None},
        "total": {"entered": "4990.00", "read": "3990.00", "status": "mismatch",
                  "confidence": 0.9, "file": None},
        "date": {"entered": "2019-07-25", "read": "2019-07-25", "status": "verified",
                 "confidence": 0.9, "file": None},
    }})
    flag = flags_of(claim)["receipt_contradicts"]
    assert flag.evidence == ("Retailer: claimed Elkjøp, receipt Power; "
                             "Total: claimed 4990.00, receipt 3990.00")
    assert claim.pk in Claim.objects.filter(selectors.risk_q()).values_list("pk", flat=True)


def test_a_duplicate_receipt_links_to_the_other_claims(campaign):
    other = account_claim(campaign, email="ola@example.no", iban=OTHER_IBAN)
    claim = with_checks(account_claim(campaign), {"duplicates": [
        {"kind": "exact", "claim": other.reference, "file": "f", "status": "submitted"}]})
    flag = flags_of(claim)["duplicate_receipt"]
    assert (flag.evidence, flag.others) == ("Found on 1 other claims.", (other.reference,))


def test_an_amount_near_the_cap(campaign):
    near = account_claim(campaign, price="9990.00")  # a Beam: 15 % = 1498.50 → capped
    assert near.capped
    flag = flags_of(near)["amount_near_cap"]
    assert flag.evidence.endswith("(100 %).")
    assert "1,455.00" in flag.evidence
    below = account_claim(campaign, email="ola@example.no", iban=OTHER_IBAN)
    assert "amount_near_cap" not in flags_of(below)
    Claim.objects.filter(pk=below.pk).update(amount=Decimal("1310.00"))  # 90 % of 1455
    below.refresh_from_db()
    assert "amount_near_cap" in flags_of(below)
    flagged = set(Claim.objects.filter(selectors.risk_q()).values_list("pk", flat=True))
    assert flagged == {near.pk, below.pk}


def test_the_codes_follow_the_weights(campaign):
    claim = account_claim(campaign, holder="Per Hansen", price="9990.00")
    assert [f.code for f in claim_risk(claim=claim)] == ["bank_holder_mismatch",
                                                         "amount_near_cap"]
    # Near the cap is for the agent's eyes; it alone needs no second approver.
    assert claim_risk_flags(claim=claim) == ["bank_holder_mismatch"]


def test_the_queue_sorts_riskiest_first_in_keyset_pages(campaign, agent):
    plain = [account_claim(campaign, email=f"{name}@example.no", iban=OTHER_IBAN,
                        submitted_at=SUBMITTED_AT + timedelta(minutes=i))
             for i, name in enumerate(("anna", "bjorn", "carl"))]
    capped = account_claim(campaign, email="capped@example.no", iban=OTHER_IBAN, price="9990.00",
                        submitted_at=SUBMITTED_AT + timedelta(minutes=5))
    holder = account_claim(campaign, email="holder@example.no", iban=OTHER_IBAN,
                        holder="Per Hansen", submitted_at=SUBMITTED_AT + timedelta(minutes=6))
    # Two people, one account; everyone else their own.
    BankDetails.objects.filter(claim__in=plain[:2]).update(fingerprint="a" * 64)
    for mark, claim in zip("bcd", (plain[2], capped, holder), strict=True):
        BankDetails.objects.filter(claim=claim).update(fingerprint=mark * 64)
    shared = plain[:2]  # two people, one account: both weigh 5
    order = [shared[0], shared[1], holder, capped, plain[2]]
    filters = QueueFilters(sort="risk")
    seen, after = [], None
    while True:
        page = queue_page(actor=agent, filters=filters, after=after, limit=2)
        seen += [c.pk for c in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [c.pk for c in order]
    first = queue_page(actor=agent, filters=filters, limit=5).rows
    assert [selectors.row_risk_flags(c) for c in first] == [
        ["bank_shared"], ["bank_shared"], ["bank_holder_mismatch"], ["amount_near_cap"], []]
    risky_only = queue_page(actor=agent, filters=QueueFilters(sort="risk", risk=True)).rows
    assert [c.pk for c in risky_only] == [c.pk for c in order[:4]]


def test_the_claim_page_names_the_evidence_and_links_the_others(campaign, agent):
    others = [account_claim(campaign, email=f"person{i}@example.no") for i in range(2)]
    claim = account_claim(campaign, email="kari@example.no")
    html = verified_client(agent).get(f"/staff/claims/{claim.reference}/").content.decode()
    assert 'data-flag="bank_shared"' in html
    assert "The same bank account is on 2 claims of 2 other people." in html
    for other in others:
        assert f'href="/staff/claims/{other.reference}/"' in html
    queue = verified_client(agent).get("/staff/?sort=risk").content.decode()
    assert 'data-risk-score="5"' in queue
