"""Straight-through processing: only approvals are automatic, and a sample goes to a person."""

from __future__ import annotations

from typing import Any

import pytest

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.core.errors import DomainError
from rabatt.receipts.tests.factories import claim_read, pdf_bytes, spec
from rabatt.review.automation import claim_auto_decide
from rabatt.review.models import ApprovalRequest
from rabatt.review.presenters import claim_signals
from rabatt.review.selectors import claim_risk_flags
from rabatt.review.services import decide_approve

pytestmark = pytest.mark.django_db

__all__ = ["claim_read"]


@pytest.fixture
def auto(campaign: Any) -> Any:
    def configure(enabled: bool = True, below: str = "1000.00", sample_rate: float = 0) -> None:
        campaign.review = {**(campaign.review or {}), "auto_approve": {
            "enabled": enabled, "below": {"NOK": below}, "sample_rate": sample_rate}}
        campaign.save(update_fields=["review"])
    return configure


def test_a_verified_small_claim_is_approved_automatically_with_its_evidence(
        claim_read: Any, auto: Any, client: Any) -> None:
    auto()
    claim = claim_read(pdf_bytes(spec()))
    assert claim.status == ClaimStatus.APPROVED
    assert claim.decided_automatically is True
    assert claim_signals(claim=claim)["automatic"]["outcome"] == "approved"
    assert claim_signals(claim=claim)["automatic"]["reasons"] == []
    event = claim.events.get(kind="approve")
    assert (event.actor_type, event.actor_id) == ("system", None)
    evidence = event.data["automatic"]
    assert evidence["limit"] == "1000.00"
    assert {n: f["status"] for n, f in evidence["fields"].items()} == {
        "retailer": "verified", "date": "verified", "total": "verified", "currency": "verified"}
    assert evidence["fields"]["total"]["evidence"]["text"]
    tracked = client.post("/api/v1/claims/track", {"reference": claim.reference,
                                                   "email": "kari@example.no"},
                          content_type="application/json").json()
    assert (tracked["status"], tracked["decided_automatically"]) == ("approved", True)
    page = client.post("/track/", {"reference": claim.reference, "email": "kari@example.no"},
                       HTTP_ACCEPT_LANGUAGE="en")
    assert "This decision was made automatically" in page.content.decode()


def test_deciding_again_changes_nothing(claim_read: Any, auto: Any) -> None:
    auto()
    claim = claim_read(pdf_bytes(spec()))
    assert claim_auto_decide(claim_id=claim.pk) == "approved"
    assert claim.events.filter(kind="approve").count() == 1


@pytest.mark.parametrize(("changes", "reason"), [
    ({"price": "4499.00"},
     "field_not_verified"),
    ({"purchased_at": "2019-07-24T10:00:00Z"}, "field_not_verified"),
])
def test_a_mismatch_is_never_refused_automatically(claim_read: Any, auto: Any,
                                                   changes: dict[str, Any], reason: str) -> None:
    auto()
    claim = claim_read(pdf_bytes(spec()), **changes)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.decided_at is None
    # A field that contradicts the claim is also a risk flag, which needs a second approver.
    assert claim_signals(claim=claim)["automatic"] == {**claim_signals(claim=claim)["automatic"],
                                          "outcome": "not_eligible",
                                          "reasons": [reason, "risk_flags", "four_eyes"]}
    assert claim_risk_flags(claim=claim) == ["receipt_contradicts"]
    assert list(claim.events.values_list("kind", flat=True)) == ["submitted", "receipts_checked"]


def test_a_duplicate_is_left_to_a_person(claim_read: Any, auto: Any) -> None:
    data = pdf_bytes(spec())
    auto(below="100000.00")
    claim_read(data)
    second = claim_read(data, email="ola@example.no")
    assert second.status == ClaimStatus.SUBMITTED
    assert "risk_flags" in claim_signals(claim=second)["automatic"]["reasons"]


def test_an_amount_at_or_over_the_limit_is_left_to_a_person(claim_read: Any, auto: Any) -> None:
    auto(below="748.50")  # the claim's cashback is exactly 748.50
    claim = claim_read(pdf_bytes(spec()))
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim_signals(claim=claim)["automatic"]["reasons"] == ["over_limit"]


def test_off_by_default(claim_read: Any) -> None:
    claim = claim_read(pdf_bytes(spec()))
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim_signals(claim=claim)["automatic"]["outcome"] == "off"


def test_disabled_stays_off(claim_read: Any, auto: Any) -> None:
    auto(enabled=False)
    claim = claim_read(pdf_bytes(spec()))
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim_signals(claim=claim)["automatic"]["outcome"] == "off"


def test_a_sampled_claim_waits_for_a_supervisor(claim_read: Any, auto: Any, agent: Any,
                                                supervisor: Any) -> None:
    auto(sample_rate=1)
    claim = claim_read(pdf_bytes(spec()))
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim_signals(claim=claim)["automatic"]["outcome"] == "sampled"
    request = ApprovalRequest.objects.get(claim=claim)
    assert (request.status, request.requested_by, request.why) == ("pending", None, ["sample"])
    assert claim.events.filter(kind="auto_approval_sampled").count() == 1
    with pytest.raises(DomainError):
        decide_approve(claim_id=claim.pk, actor=agent)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    decision = decide_approve(claim_id=claim.pk, actor=supervisor)
    assert decision.claim.status == ClaimStatus.APPROVED
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.decided_automatically is False
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("completed", supervisor)


@pytest.mark.parametrize(("draw", "outcome"), [(0.2499, "sampled"), (0.25, "approved")])
def test_the_draw_is_compared_with_the_sample_rate(claim_read: Any, auto: Any, draw: float,
                                                   outcome: str) -> None:
    claim = claim_read(pdf_bytes(spec()))  # read and checked while still off
    auto(sample_rate=0.25)
    assert claim_auto_decide(claim_id=claim.pk, draw=draw) == outcome
    claim.refresh_from_db()
    assert claim_signals(claim=claim)["automatic"]["outcome"] == outcome
    assert claim.status == (ClaimStatus.APPROVED if outcome == "approved"
                            else ClaimStatus.SUBMITTED)
