import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from rabatt.campaigns.services import campaign_pause, campaign_resume
from rabatt.claims.models import Claim, ClaimStatus, InfoRequestToken
from rabatt.claims.services import (
    claim_answer_info,
    claim_approve,
    claim_lapse_if_overdue,
    claim_mark_paid,
    claim_reject,
    claim_request_info,
    claim_start_review,
    claim_void,
    claim_withdraw,
    claims_lapse_overdue,
)
from rabatt.claims.tests.factories import claim_factory, factory_staff, receipt_jpeg
from rabatt.claims.transitions import TRANSITIONS, allowed_actions
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.tokens import token_hash
from rabatt.notifications.models import OutboundEmail
from rabatt.receipts.services import receipt_vet
from rabatt.review.tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(client, campaign, smtp, during_campaign) -> Claim:
    return claim_factory(campaign)


def claim_emails(claim: Claim) -> Any:
    """The outbox rows of the claim's events."""
    return OutboundEmail.objects.filter(
        dedup_key__in=[f"claim-event:{pk}" for pk in claim.events.values_list("pk", flat=True)])


def snapshot(claim: Claim) -> tuple:
    claim.refresh_from_db()
    return (claim.status, claim.events.count(), claim.decided_at, claim.info_due_at)


def test_the_transition_table_is_consistent():
    for t in TRANSITIONS.values():
        assert t.sources
        assert t.target not in ("",)
    assert allowed_actions("submitted", "consumer") == ["withdraw", "rectify_bank"]
    assert "approve" in allowed_actions("in_review", "staff")


def test_every_status_change_writes_an_event_and_one_email(claim, staff, smtp):
    claim_start_review(claim_id=claim.pk, actor=staff)
    claim_approve(claim_id=claim.pk, actor=staff)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.decided_at is not None
    assert list(claim.events.values_list("kind", "actor_id")) == [
        ("submitted", None), ("receipts_checked", None), ("start_review", staff.pk),
        ("approve", staff.pk)]
    assert claim_emails(claim).filter(status="sent").count() == 3
    assert len(smtp.messages) == 3
    assert smtp.subjects()[-1] == f"Søknaden din {claim.reference} er godkjent"


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        (claim_approve, {}),
        (claim_void, {}),
        (claim_request_info, {"reasons": ["receipt_unreadable"]}),
    ],
)
def test_a_refused_transition_changes_nothing(claim, staff, action, kwargs):
    claim_reject(claim_id=claim.pk, actor=staff, reason="not_eligible")
    before = snapshot(claim)
    with pytest.raises(Conflict):
        action(claim_id=claim.pk, actor=staff, **kwargs)
    assert snapshot(claim) == before


def test_reject_needs_a_reason(claim, staff):
    before = snapshot(claim)
    with pytest.raises(DomainError):
        claim_reject(claim_id=claim.pk, actor=staff, reason=" ")
    assert snapshot(claim) == before


def test_request_info_needs_known_reasons(claim, staff):
    before = snapshot(claim)
    for reasons in ([], ["nonsense"]):
        with pytest.raises(DomainError):
            claim_request_info(claim_id=claim.pk, actor=staff, reasons=reasons)
    with pytest.raises(DomainError):
        claim_request_info(claim_id=claim.pk, actor=staff, reasons=["other"], message="")
    assert snapshot(claim) == before


def test_missing_information_round_trip(claim, staff, smtp):
    claim, token = claim_request_info(claim_id=claim.pk, actor=staff,
                                      reasons=["receipt_unreadable"], message="Bildet er uskarpt.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    email = smtp.text()
    assert f"/claims/answer/{token}/" in email
    assert "Kjøpsbeviset er ikke leselig" in email or "not readable" in email
    # The secret is in the e-mail only: the history and the token row never hold it.
    event = claim.events.get(kind="request_info")
    assert token not in json.dumps(event.data)
    assert event.token.token_hash == token_hash(token)
    # The 7 days run from the e-mail that was actually sent.
    sent = claim_emails(claim).get(kind="claim.request_info").sent_at
    assert sent is not None
    assert claim.info_due_at == sent + timedelta(days=7)
    safe = receipt_vet(data=receipt_jpeg("SHARP"), name="ny.jpg")
    claim_answer_info(token=token, message="Her er et bedre bilde.", uploads=[safe],
                      corrections={"city": "Bergen", "email": "evil@example.com"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.city == "Bergen"
    assert claim.email == "kari@example.no"  # not a correctable field here
    assert claim.files.count() == 2
    assert claim.info_due_at is None
    with pytest.raises(NotFound):  # a link works once
        claim_answer_info(token=token, message="again")


def test_an_answer_link_of_an_older_request_no_longer_works(claim, staff):
    _claim, first = claim_request_info(claim_id=claim.pk, actor=staff, reasons=["price_missing"])
    claim_answer_info(token=first, message="ok")
    _claim, second = claim_request_info(claim_id=claim.pk, actor=staff, reasons=["wrong_document"])
    with pytest.raises(NotFound):
        claim_answer_info(token=first, message="old link")
    claim_answer_info(token=second, message="new link")
    assert InfoRequestToken.objects.filter(used_at__isnull=False).count() == 2


def test_lapse_after_seven_days_with_a_frozen_clock(claim, staff, smtp):
    claim, _token = claim_request_info(claim_id=claim.pk, actor=staff,
                                       reasons=["receipt_unreadable"])
    claim.refresh_from_db()
    due = claim.info_due_at
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        assert claim_lapse_if_overdue(claim_id=claim.pk) is False
        assert claims_lapse_overdue() == 0
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    with time_machine.travel(due, tick=False):
        assert claims_lapse_overdue() == 1
        assert claims_lapse_overdue() == 0  # safe to run again
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.LAPSED
    assert claim.events.last().actor_type == "system"
    assert smtp.subjects()[-1] == f"Søknaden din {claim.reference} er utløpt"


def test_an_answer_in_time_prevents_the_lapse(claim, staff):
    claim, token = claim_request_info(claim_id=claim.pk, actor=staff, reasons=["price_missing"])
    claim.refresh_from_db()
    due = claim.info_due_at
    claim_answer_info(token=token, message="ok")
    with time_machine.travel(due + timedelta(days=1), tick=False):
        assert claim_lapse_if_overdue(claim_id=claim.pk) is False
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW


def test_withdraw_and_void(claim, staff):
    claim_withdraw(claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    with pytest.raises(Conflict):
        claim_void(claim_id=claim.pk, actor=staff)


def test_smtp_failure_is_retried_and_never_sent_twice(client, campaign, smtp, during_campaign):
    from rabatt.notifications.services import email_send

    smtp.refuse = True
    claim = claim_factory(campaign)  # the claim is durable even when mail is down
    row = OutboundEmail.objects.get()
    assert row.dedup_key == f"claim-event:{claim.events.get(kind='submitted').pk}"
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error
    smtp.refuse = False
    assert email_send(email_id=row.pk) == "skipped"  # not due yet: backoff
    during_campaign.shift(timedelta(minutes=1))
    assert email_send(email_id=row.pk) == "sent"
    assert email_send(email_id=row.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_failed_payment_new_bank_details_go_back_to_the_payout_queue(claim, staff, smtp):
    from rabatt.claims.services import BankIn, claim_mark_payment_failed

    claim_approve(claim_id=claim.pk, actor=staff)
    claim, token = claim_mark_payment_failed(claim_id=claim.pk, reason="AC04")
    assert claim.status == ClaimStatus.PAYMENT_FAILED
    assert f"/claims/bank/{token}/" in smtp.text()
    with pytest.raises(DomainError):
        claim_answer_info(token=token, message="no bank")
    claim = claim_answer_info(token=token, bank=BankIn(
        account_holder="Kari Nordmann", fields={"iban": "NO38 1503 0123 457"}))
    assert claim.status == ClaimStatus.APPROVED
    assert claim.bank.masked.startswith("NO38")
    kinds = list(claim.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["mark_payment_failed", "bank_details_changed", "retry_payment"]


def test_bank_change_after_approval_needs_a_fresh_review(claim, staff, smtp):
    from rabatt.claims.services import BankIn, claim_bank_update

    claim_approve(claim_id=claim.pk, actor=staff)
    claim = claim_bank_update(claim_id=claim.pk, bank=BankIn(
        account_holder="Kari Nordmann", fields={"iban": "NO38 1503 0123 457"}))
    assert claim.status == ClaimStatus.IN_REVIEW
    assert "Bankopplysningene for søknaden din" in smtp.subjects()[-1]


def test_a_paused_campaign_refuses_a_submission_and_still_processes_submitted_claims(campaign):
    manager = staff_user("campaign_manager", "m1@rabatt.test")
    reviewing = claim_factory(campaign, status="in_review")
    approved = claim_factory(campaign, status="approved", email="ola@example.no")
    campaign_pause(campaign=campaign, actor=manager)
    with pytest.raises(Conflict) as refused:
        claim_factory(campaign, email="per@example.no")
    assert refused.value.code == "campaign_paused"
    assert Claim.objects.count() == 2
    # Review, approval and payment of what was submitted go on while paused.
    claim_approve(claim_id=reviewing.pk, actor=factory_staff())
    claim_mark_paid(claim_id=approved.pk)
    assert dict(Claim.objects.values_list("pk", "status")) == {
        reviewing.pk: ClaimStatus.APPROVED, approved.pk: ClaimStatus.PAID}
    campaign_resume(campaign=campaign, actor=manager)
    assert claim_factory(campaign, email="per@example.no").status == ClaimStatus.SUBMITTED
