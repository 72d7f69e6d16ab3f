"""Decisions: permission per role, holds, four-eyes, audit; a refusal changes nothing."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection

from rabatt.accounts.roles import Role
from rabatt.claims.models import Claim, ClaimEvent, ClaimStatus
from rabatt.claims.services import claim_answer_info
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import Conflict, DomainError, PermissionDenied
from rabatt.core.timeutil import utcnow
from rabatt.review import services
from rabatt.review.models import AccessLog, ApprovalRequest, Assignment, BulkJob
from rabatt.review.tests.factories import receipt_pdf, staff_user

pytestmark = pytest.mark.django_db


def snapshot(claim: Claim) -> tuple:
    claim.refresh_from_db()
    held = Assignment.objects.filter(claim=claim).values_list(
        "agent_id", "taken_at", "touched_at").first()
    pending = list(ApprovalRequest.objects.filter(claim=claim).values_list("status", flat=True))
    return claim.status, claim.events.count(), held, pending, claim.decided_at


def in_state(claim: Claim, status: str, actor) -> Claim:
    """Bring a claim into ``status`` the way the desk would."""
    if status in (ClaimStatus.IN_REVIEW, ClaimStatus.APPROVED, ClaimStatus.REJECTED):
        services.claim_open(claim=claim, actor=actor)
    if status == ClaimStatus.APPROVED:
        services.decide_approve(claim_id=claim.pk, actor=actor)
    if status == ClaimStatus.REJECTED:
        services.decide_reject(claim_id=claim.pk, actor=actor, reason="not eligible")
    claim.refresh_from_db()
    assert claim.status == status
    return claim


ACTIONS = {
    "approve": lambda c, u: services.decide_approve(claim_id=c.pk, actor=u),
    "reject": lambda c, u: services.decide_reject(claim_id=c.pk, actor=u, reason="fraud"),
    "request_info": lambda c, u: services.decide_request_info(
        claim_id=c.pk, actor=u, reasons=["receipt_unreadable"]),
    "void": lambda c, u: services.decide_void(claim_id=c.pk, actor=u),
    "reopen": lambda c, u: services.decide_reopen(claim_id=c.pk, actor=u),
}

WRONG_ROLE = [
    ("approve", Role.FINANCE, ClaimStatus.IN_REVIEW),
    ("approve", Role.CAMPAIGN_MANAGER, ClaimStatus.IN_REVIEW),
    ("approve", Role.PRIVACY_OFFICER, ClaimStatus.IN_REVIEW),
    ("reject", Role.FINANCE, ClaimStatus.IN_REVIEW),
    ("reject", Role.CAMPAIGN_MANAGER, ClaimStatus.SUBMITTED),
    ("request_info", Role.FINANCE, ClaimStatus.IN_REVIEW),
    ("request_info", Role.PRIVACY_OFFICER, ClaimStatus.IN_REVIEW),
    ("void", Role.AGENT, ClaimStatus.APPROVED),
    ("void", Role.CAMPAIGN_MANAGER, ClaimStatus.APPROVED),
    ("reopen", Role.AGENT, ClaimStatus.REJECTED),
    ("reopen", Role.FINANCE, ClaimStatus.REJECTED),
]


def test_every_decision_is_refused_for_a_wrong_role_and_changes_nothing(campaign, agent):
    for action, role, status in WRONG_ROLE:
        claim = in_state(claim_factory(campaign), status, agent)
        before = snapshot(claim)
        with pytest.raises(PermissionDenied):
            ACTIONS[action](claim, staff_user(role, f"{action}-{role}@rabatt.test"))
        assert snapshot(claim) == before, (action, role)


WRONG_STATE = [
    ("approve", ClaimStatus.REJECTED),
    ("approve", ClaimStatus.APPROVED),
    ("reject", ClaimStatus.APPROVED),
    ("request_info", ClaimStatus.REJECTED),
    ("void", ClaimStatus.IN_REVIEW),
    ("reopen", ClaimStatus.IN_REVIEW),
]


def test_every_decision_is_refused_in_a_wrong_state_and_changes_nothing(
        campaign, agent, supervisor):
    for action, status in WRONG_STATE:
        claim = in_state(claim_factory(campaign), status, agent)
        if status == ClaimStatus.IN_REVIEW:  # someone holds it: that must stay as it is too
            assert Assignment.objects.filter(claim=claim, agent=agent).exists()
        before = snapshot(claim)
        with pytest.raises(Conflict) as info:
            ACTIONS[action](claim, supervisor)
        assert info.value.code in ("invalid_transition", "claim_assigned"), action
        assert snapshot(claim) == before, (action, status)


def test_a_claim_held_by_another_agent_is_refused_and_unchanged(campaign, agent, agent2):
    claim = claim_factory(campaign)
    services.claim_open(claim=claim, actor=agent)
    before = snapshot(claim)
    for action in ("approve", "reject", "request_info"):
        with pytest.raises(Conflict) as info:
            ACTIONS[action](claim, agent2)
        assert info.value.code == "claim_assigned"
        assert "agent@rabatt.test" in str(info.value.message)
    assert snapshot(claim) == before


def test_opening_holds_the_claim_starts_review_and_is_audited(campaign, agent, agent2):
    claim = claim_factory(campaign)
    held = services.claim_open(claim=claim, actor=agent)
    assert held is not None
    assert held.agent == agent
    assert claim.status == ClaimStatus.IN_REVIEW
    assert list(claim.events.values_list("kind", "actor")) == [
        ("submitted", None), ("start_review", agent.pk)]
    assert services.claim_open(claim=claim, actor=agent2) is None  # read-only for the second
    assert list(AccessLog.objects.order_by("id").values_list("actor", "what")) == [
        (agent.pk, "claim"), (agent2.pk, "claim")]


def test_a_lapsed_hold_can_be_taken_over(campaign, agent, agent2):
    claim = claim_factory(campaign)
    services.claim_open(claim=claim, actor=agent)
    Assignment.objects.filter(claim=claim).update(touched_at=utcnow() - timedelta(minutes=16))
    held = services.assignment_take(claim_id=claim.pk, actor=agent2)
    assert held.agent == agent2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_for_a_claim_one_wins(campaign, agent, agent2):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    claim = claim_factory(campaign)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def take(user):
        barrier.wait()
        try:
            results.append(services.assignment_take(claim_id=claim.pk, actor=user).agent_id)
        except Conflict:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (agent, agent2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results))[-1] == "refused"
    assert Assignment.objects.filter(claim=claim).count() == 1


def test_approve_below_the_limit_approves_and_names_the_agent(campaign, agent):
    claim = claim_factory(campaign)
    services.claim_open(claim=claim, actor=agent)
    decision = services.decide_approve(claim_id=claim.pk, actor=agent, message="ok")
    assert decision.outcome == ClaimStatus.APPROVED
    event = claim.events.last()
    assert event is not None
    assert (event.kind, event.actor, event.to_status) == ("approve", agent, "approved")
    assert not Assignment.objects.filter(claim=claim).exists()


def test_four_eyes_above_the_amount_needs_a_different_second_approver(campaign, agent, agent2):
    claim = claim_factory(campaign, price="9990.00")  # 1455 NOK (capped) > 1200
    assert claim.amount > 1200
    first = services.decide_approve(claim_id=claim.pk, actor=agent)
    assert first.outcome == services.PENDING_SECOND_APPROVAL
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.events.latest("id").kind == "approval_requested"
    before = snapshot(claim)
    with pytest.raises(Conflict) as info:
        services.decide_approve(claim_id=claim.pk, actor=agent)
    assert info.value.code == "second_approver_required"
    assert snapshot(claim) == before
    second = services.decide_approve(claim_id=claim.pk, actor=agent2)
    assert second.outcome == ClaimStatus.APPROVED
    event = claim.events.last()
    assert event is not None
    assert (event.kind, event.actor) == ("approve", agent2)
    assert event.data == {"four_eyes": {"first": agent.pk, "second": agent2.pk,
                                        "why": ["amount"]}}
    request = ApprovalRequest.objects.get(claim=claim)
    assert (request.status, request.requested_by, request.decided_by) == (
        "completed", agent, agent2)


def test_four_eyes_for_a_risk_flag_and_a_rejection_cancels_the_request(campaign, agent, agent2):
    claim = claim_factory(campaign, holder="Per Hansen")
    assert services.decide_approve(claim_id=claim.pk, actor=agent).outcome == \
        services.PENDING_SECOND_APPROVAL
    assert ApprovalRequest.objects.get(claim=claim).why == ["risk"]
    services.decide_reject(claim_id=claim.pk, actor=agent2, reason="Account holder differs")
    assert ApprovalRequest.objects.get(claim=claim).status == "cancelled"


def test_request_info_then_the_consumer_answers(campaign, agent):
    claim = claim_factory(campaign)
    services.claim_open(claim=claim, actor=agent)
    decision = services.decide_request_info(claim_id=claim.pk, actor=agent,
                                            reasons=["proof_of_age"], message="Send ID")
    assert decision.outcome == ClaimStatus.INFO_REQUESTED
    assert decision.token
    claim_answer_info(token=decision.token, message="Attached")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert list(claim.events.values_list("kind", flat=True)) == [
        "submitted", "start_review", "request_info", "answer_info"]


def test_bank_details_full_for_finance_only_and_audited(campaign, agent, finance):
    claim = claim_factory(campaign)
    with pytest.raises(PermissionDenied):
        services.bank_details_full(claim=claim, actor=agent)
    assert not AccessLog.objects.exists()
    details = services.bank_details_full(claim=claim, actor=finance)
    assert details["account_holder"] == "Kari Nordmann"
    assert details["iban"].replace(" ", "") == "NO9386011117947"
    assert list(AccessLog.objects.values_list("actor", "what")) == [(finance.pk, "bank_full")]


def test_receipt_pages_pdf_rendered_and_audited(campaign, agent):
    claim = claim_factory(campaign, files=[receipt_pdf(pages=2)])
    receipt = claim.files.get()
    assert receipt.page_count == 2
    for page in (0, 1):
        data, content_type = services.receipt_page(claim=claim, actor=agent,
                                                   receipt_id=str(receipt.pk), page=page)
        assert content_type == "image/png"
        assert data.startswith(b"\x89PNG")
    with pytest.raises(DomainError):
        services.receipt_page(claim=claim, actor=agent, receipt_id=str(receipt.pk), page=2)
    assert AccessLog.objects.filter(actor=agent, what__startswith="receipt:").count() == 2


def test_bulk_reports_each_failure_and_a_rerun_does_nothing_twice(
        campaign, agent, supervisor, django_capture_on_commit_callbacks):
    ok = claim_factory(campaign)
    held = claim_factory(campaign)
    services.claim_open(claim=held, actor=agent)
    decided = in_state(claim_factory(campaign), ClaimStatus.REJECTED, agent)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.bulk_start(actor=supervisor, action="reject",
                                  claim_ids=[ok.pk, held.pk, decided.pk],
                                  params={"reason": "duplicate", "message": ""})
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    results = {r.claim_id: (r.ok, r.outcome) for r in job.results.all()}
    assert results == {ok.pk: (True, "rejected"), held.pk: (False, "claim_assigned"),
                       decided.pk: (False, "invalid_transition")}
    events = ClaimEvent.objects.count()
    services.bulk_run(job_id=str(job.pk))
    assert ClaimEvent.objects.count() == events
    assert job.results.count() == 3


def test_bulk_is_for_supervisors(campaign, agent):
    with pytest.raises(PermissionDenied):
        services.bulk_start(actor=agent, action="approve", claim_ids=[1], params={})
    assert not BulkJob.objects.exists()


def test_notes(campaign, agent):
    claim = claim_factory(campaign)
    note = services.note_add(claim_id=claim.pk, actor=agent, body="  Receipt looks edited  ")
    assert (note.body, note.author) == ("Receipt looks edited", agent)
    with pytest.raises(DomainError):
        services.note_add(claim_id=claim.pk, actor=agent, body=" ")


def test_info_texts_are_json_safe(campaign):
    from rabatt.review.presenters import info_reason_texts

    texts = info_reason_texts(claim=claim_factory(campaign))
    assert json.loads(json.dumps(texts))["en"]["intro"].startswith("Hello Kari")
    assert texts["en"]["proof_of_age"] == "We need a proof of age"
