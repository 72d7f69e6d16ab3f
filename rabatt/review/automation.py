"""Straight-through processing: approve a fully verified, risk-free, small claim without a person.

Only approvals are ever automatic. A refusal always needs a person (GDPR Art. 22), so a claim
that does not pass simply stays in the queue. A share of the claims that would pass (the
campaign's ``sample_rate``) goes to a supervisor instead, to keep the machine honest.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction

from rabatt.claims import services as claims
from rabatt.claims.models import Claim, ClaimEvent, ClaimStatus
from rabatt.core.timeutil import utcnow
from rabatt.privacy.models import Subject
from rabatt.receipts.checking import REQUIRED_FIELDS
from rabatt.receipts.models import CheckStatus, ReceiptCheck
from rabatt.review.models import ApprovalRequest, AutomaticDecision
from rabatt.review.selectors import claim_risk_flags, four_eyes_reasons

APPROVED, SAMPLED, NOT_ELIGIBLE, OFF = "approved", "sampled", "not_eligible", "off"


def _settings(claim: Claim) -> dict[str, Any]:
    return dict((claim.campaign.review or {}).get("auto_approve") or {})


def auto_approve_reasons(*, claim: Claim) -> list[str]:
    """Why this claim may not be approved automatically; empty when it may."""
    conf = _settings(claim)
    if not conf.get("enabled"):
        return ["not_enabled"]
    check = ReceiptCheck.objects.filter(claim=claim).first()
    why = []
    if claim.status != ClaimStatus.SUBMITTED:
        why.append("not_waiting")
    if check is None or check.status != CheckStatus.DONE:
        why.append("reading_failed")
    fields = check.fields if check is not None else {}
    if any((fields.get(name) or {}).get("status") != "verified" for name in REQUIRED_FIELDS) \
            or (fields.get("currency") or {}).get("status") == "mismatch":
        why.append("field_not_verified")
    if claim_risk_flags(claim=claim):
        why.append("risk_flags")
    limit = (conf.get("below") or {}).get(claim.currency)
    if limit is None or claim.amount >= Decimal(str(limit)):
        why.append("over_limit")
    if four_eyes_reasons(claim=claim) or ApprovalRequest.objects.filter(
            claim=claim, status=ApprovalRequest.Status.PENDING).exists():
        why.append("four_eyes")
    subject: Subject = claim.subject
    if subject.erased_at is not None or subject.restricted_at is not None:
        why.append("processing_restricted")
    return why


def claim_auto_decide(*, claim_id: int, draw: float | None = None) -> str:
    """Approve the claim automatically when it qualifies, or send it to a supervisor as a sample.

    ``draw`` is the random number in [0, 1) compared with the sample rate (tests pass one).
    """
    with transaction.atomic():
        claim = (Claim.objects.select_for_update(of=("self",))
                 .select_related("campaign", "subject").filter(pk=claim_id).first())
        if claim is None:
            return NOT_ELIGIBLE
        earlier = AutomaticDecision.objects.filter(claim=claim).first()
        if earlier is not None and earlier.outcome in (APPROVED, SAMPLED):
            return str(earlier.outcome)  # a retried task: decided already
        reasons = auto_approve_reasons(claim=claim)
        if reasons == ["not_enabled"]:
            outcome = OFF
        elif reasons:
            outcome = NOT_ELIGIBLE
        else:
            rate = float(_settings(claim).get("sample_rate") or 0)
            chance = secrets.SystemRandom().random() if draw is None else draw
            outcome = SAMPLED if chance < rate else APPROVED
        AutomaticDecision.objects.update_or_create(
            claim=claim, defaults={"outcome": outcome, "reasons": reasons, "at": utcnow()})
        check = ReceiptCheck.objects.filter(claim=claim).first()
        evidence: dict[str, Any] = {
            "fields": check.fields if check is not None else {},
            "limit": (_settings(claim).get("below") or {}).get(claim.currency)}
        if outcome == APPROVED:
            claims.claim_approve(claim_id=claim.pk, actor=None, automatic=True,
                                 data={"automatic": evidence})
        elif outcome == SAMPLED:
            ApprovalRequest.objects.create(claim=claim, requested_by=None, requested_at=utcnow(),
                                           why=["sample"])
            claims.claim_event_record(claim=claim, actor_type=ClaimEvent.Actor.SYSTEM,
                                      kind="auto_approval_sampled",
                                      data={"automatic": evidence})
    return outcome


def receipts_checked(*, claim_id: int) -> None:
    """Hear that a claim's receipts were checked: decide automatically once that commits."""
    from rabatt.review.tasks import auto_decide_claim

    transaction.on_commit(lambda: auto_decide_claim.enqueue(claim_id))
