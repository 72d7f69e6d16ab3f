"""Writes of the review desk: each checks the actor's role, holds the claim, then calls the
claims service that changes its status (which writes the event naming the actor)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _

from rabatt.accounts import conf
from rabatt.accounts.roles import has_perm, require
from rabatt.accounts.selectors import brand_ids_visible_to, scope_by_brand
from rabatt.claims import services as claims
from rabatt.claims.models import Claim, ClaimEvent, ClaimStatus
from rabatt.claims.transitions import TRANSITIONS
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.pdf import PdfLimitExceeded, pdf_pages
from rabatt.core.timeutil import utcnow
from rabatt.privacy.subjects import subject_ensure_processable, subject_unseal
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_read
from rabatt.review.models import AccessLog, ApprovalRequest, Assignment, BulkJob, BulkResult, Note
from rabatt.review.selectors import four_eyes_reasons, queue_counts_forget
from rabatt.review.transitions import APPROVAL_TRANSITIONS

PENDING_SECOND_APPROVAL = "pending_second_approval"
BULK_ACTIONS = ("approve", "reject", "request_info")


@dataclass(frozen=True)
class Decision:
    claim: Claim
    outcome: str  # the claim's new status, or "pending_second_approval"
    token: str = ""  # the answer link token of a request for information


def access_log(*, actor: User, claim: Claim, what: str, via: str = "desk") -> AccessLog:
    """Record that ``actor`` saw ``what`` of ``claim``'s personal or bank data: the one entry
    point, so the audit log can later move (hash-chained) without touching the callers."""
    return AccessLog.objects.create(actor=actor, claim=claim, what=what[:60], via=via,
                                    at=utcnow())


# Assignment ---------------------------------------------------------------------------------

def assignment_take(*, claim_id: int, actor: User, now: datetime | None = None) -> Assignment:
    """Hold a claim for ``actor``: theirs already, free, or lapsed; else refuse (409).

    A conditional UPDATE takes a lapsed or own hold; the unique claim column lets only one
    INSERT win when nobody held it. Two agents can therefore never hold the same claim.
    """
    require(actor, "claims.review")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    now = now or utcnow()
    lapsed = now - timedelta(seconds=conf.assignment_seconds())
    updated = Assignment.objects.filter(claim_id=claim_id).filter(
        Q(agent=actor) | Q(touched_at__lt=lapsed)
    ).update(taken_at=Case(When(agent=actor, then=F("taken_at")), default=now),
             agent=actor, touched_at=now)
    if not updated:
        try:
            with transaction.atomic():
                return Assignment.objects.create(claim_id=claim_id, agent=actor, taken_at=now,
                                                 touched_at=now)
        except IntegrityError:
            holder = Assignment.objects.select_related("agent").filter(claim_id=claim_id).first()
            name = holder.agent.get_username() if holder else "?"
            raise Conflict(_("%(agent)s is reviewing this claim.") % {"agent": name},
                           code="claim_assigned") from None
    return Assignment.objects.get(claim_id=claim_id)


def assignment_release(*, claim_id: int, actor: User) -> None:
    Assignment.objects.filter(claim_id=claim_id, agent=actor).delete()


def claim_open(*, claim: Claim, actor: User) -> Assignment | None:
    """An agent opens a claim: hold it and move a new one into review; audit the view.

    Returns the hold, or None when someone else holds it (the page is then read-only) or the
    actor only reads (finance, privacy).
    """
    require(actor, "claims.view")
    claim_ensure_visible(claim_id=claim.pk, actor=actor)
    access_log(actor=actor, claim=claim, what="claim")
    if not has_perm(actor, "claims.review") or claim.status not in (
            ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW):
        return None
    if ApprovalRequest.objects.filter(claim=claim, status=ApprovalRequest.Status.PENDING,
                                      requested_by=actor).exists():
        return None  # the first approver must not block the second by looking again
    try:
        with transaction.atomic():
            held = assignment_take(claim_id=claim.pk, actor=actor)
            if claim.status == ClaimStatus.SUBMITTED:
                claims.claim_start_review(claim_id=claim.pk, actor=actor)
                claim.refresh_from_db(fields=["status", "updated_at"])
    except Conflict:
        return None
    return held


def claim_ensure_visible(*, claim_id: int, actor: User) -> None:
    """Raise NotFound unless ``actor`` serves the brand of the claim's campaign."""
    if brand_ids_visible_to(actor) is None:
        return  # the operator's staff: no query
    if not scope_by_brand(Claim.objects.filter(pk=claim_id), actor).exists():
        raise NotFound(_("No such claim."))


# Decisions ----------------------------------------------------------------------------------

def _locked(claim_id: int) -> Claim:
    claim = (Claim.objects.select_for_update(of=("self",)).select_related("campaign", "subject")
             .filter(pk=claim_id).first())
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


def _approval_transition(*, claim_id: int, action: str, actor: User) -> int:
    """Complete or cancel the claim's pending approval request; return how many moved.

    The database allows one pending request per claim, so the claim names it.
    """
    transition = APPROVAL_TRANSITIONS[action]
    return ApprovalRequest.objects.filter(
        claim_id=claim_id, status__in=transition.sources,
    ).update(status=transition.target, decided_by=actor, decided_at=utcnow())


def decide_approve(*, claim_id: int, actor: User, message: str = "") -> Decision:
    """Approve, or record the first of two approvals when the amount or a risk flag needs a
    second, different approver (four-eyes); the second approval then approves the claim."""
    require(actor, "claims.approve")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    with transaction.atomic():
        claim = _locked(claim_id)
        subject_ensure_processable(claim.subject)
        TRANSITIONS.check("approve", status=claim.status, actor_type="staff")
        assignment_take(claim_id=claim_id, actor=actor)
        pending = (ApprovalRequest.objects.select_for_update()
                   .filter(claim_id=claim_id, status=ApprovalRequest.Status.PENDING).first())
        if pending is None and (why := four_eyes_reasons(claim=claim)):
            ApprovalRequest.objects.create(claim=claim, requested_by=actor, requested_at=utcnow(),
                                           why=why, message=message.strip())
            claims.claim_event_record(
                claim=claim, actor_type=ClaimEvent.Actor.STAFF, actor=actor,
                kind="approval_requested", message=message.strip(), data={"why": why})
            assignment_release(claim_id=claim_id, actor=actor)
            return Decision(claim=claim, outcome=PENDING_SECOND_APPROVAL)
        data: dict[str, Any] | None = None
        if pending is not None:
            if "sample" in (pending.why or []):
                require(actor, "claims.check_sample")
            if pending.requested_by_id == actor.pk:
                raise Conflict(_("You made the first approval; a different person must make "
                                 "the second."), code="second_approver_required")
            data = {"four_eyes": {"first": pending.requested_by_id, "second": actor.pk,
                                  "why": pending.why}}
            _approval_transition(claim_id=claim_id, action="complete", actor=actor)
        claim = claims.claim_approve(claim_id=claim_id, actor=actor, message=message.strip(),
                                     data=data)
        assignment_release(claim_id=claim_id, actor=actor)
    return Decision(claim=claim, outcome=claim.status)


def decide_reject(*, claim_id: int, actor: User, reason: str, message: str = "") -> Decision:
    require(actor, "claims.reject")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    with transaction.atomic():
        assignment_take(claim_id=claim_id, actor=actor)
        claim = claims.claim_reject(claim_id=claim_id, actor=actor, reason=reason,
                                    message=message.strip())
        _approval_transition(claim_id=claim_id, action="cancel", actor=actor)
        assignment_release(claim_id=claim_id, actor=actor)
    return Decision(claim=claim, outcome=claim.status)


def decide_request_info(*, claim_id: int, actor: User, reasons: Sequence[str],
                        message: str = "") -> Decision:
    require(actor, "claims.request_info")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    with transaction.atomic():
        assignment_take(claim_id=claim_id, actor=actor)
        claim, token = claims.claim_request_info(claim_id=claim_id, actor=actor,
                                                 reasons=list(reasons), message=message)
        _approval_transition(claim_id=claim_id, action="cancel", actor=actor)
        assignment_release(claim_id=claim_id, actor=actor)
    return Decision(claim=claim, outcome=claim.status, token=token)


def decide_void(*, claim_id: int, actor: User, message: str = "") -> Decision:
    """Void an approved or paid claim whose product was returned."""
    require(actor, "claims.void")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    claim = claims.claim_void(claim_id=claim_id, actor=actor, message=message.strip())
    return Decision(claim=claim, outcome=claim.status)


def decide_reopen(*, claim_id: int, actor: User, message: str = "") -> Decision:
    """Send a decided claim back to review (supervisors)."""
    require(actor, "claims.reopen")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    with transaction.atomic():
        claim = claims.claim_reopen(claim_id=claim_id, actor=actor, message=message.strip())
        _approval_transition(claim_id=claim_id, action="cancel", actor=actor)
    return Decision(claim=claim, outcome=claim.status)


def decide(*, action: str, claim_id: int, actor: User, params: dict[str, Any]) -> Decision:
    """Dispatch one named decision (bulk, API); the queue's counts then show it at once."""
    decision = _decide(action=action, claim_id=claim_id, actor=actor, params=params)
    # The agent who acted looks at the counts next: a minute-old figure reads as a mistake.
    # (Dropping a cache is harmless even if an outer transaction were to roll back.)
    queue_counts_forget()
    return decision


def _decide(*, action: str, claim_id: int, actor: User, params: dict[str, Any]) -> Decision:
    message = str(params.get("message") or "")
    if action == "approve":
        return decide_approve(claim_id=claim_id, actor=actor, message=message)
    if action == "reject":
        return decide_reject(claim_id=claim_id, actor=actor, reason=str(params.get("reason") or ""),
                             message=message)
    if action == "request_info":
        return decide_request_info(claim_id=claim_id, actor=actor,
                                   reasons=list(params.get("reasons") or []), message=message)
    if action == "void":
        return decide_void(claim_id=claim_id, actor=actor, message=message)
    if action == "reopen":
        return decide_reopen(claim_id=claim_id, actor=actor, message=message)
    raise DomainError(_("Unknown action."), code="invalid_action")


# Notes, bank details, receipts ----------------------------------------------------------------

def note_add(*, claim_id: int, actor: User, body: str) -> Note:
    require(actor, "claims.view")
    claim_ensure_visible(claim_id=claim_id, actor=actor)
    if not body.strip():
        raise DomainError(_("Write something first."), code="note_empty",
                          fields={"body": "required"})
    return Note.objects.create(claim_id=claim_id, author=actor, body=body.strip()[:5000])


def bank_details_full(*, claim: Claim, actor: User, via: str = "desk") -> dict[str, Any]:
    """The unmasked bank details (finance only); every view is audited."""
    require(actor, "bank.view_full")
    claim_ensure_visible(claim_id=claim.pk, actor=actor)
    bank = getattr(claim, "bank", None)
    if bank is None:
        raise NotFound(_("This claim has no bank details."))
    data: dict[str, Any] = json.loads(subject_unseal(claim.subject, bytes(bank.sealed)))
    access_log(actor=actor, claim=claim, what="bank_full", via=via)
    return data


MAX_PAGE_PIXELS = 2400


def receipt_page(*, claim: Claim, actor: User, receipt_id: str, page: int) -> tuple[bytes, str]:
    """One page of a proof of purchase as an image: JPEG as stored, PDF pages rendered to PNG
    on the server (the browser never runs the PDF). Audited."""
    require(actor, "claims.view")
    claim_ensure_visible(claim_id=claim.pk, actor=actor)
    receipt = ReceiptFile.objects.filter(claim=claim, pk=receipt_id).first()
    if receipt is None or not 0 <= page < max(receipt.page_count, 1):
        raise NotFound(_("No such file."))
    data = receipt_read(receipt=receipt)
    access_log(actor=actor, claim=claim, what=f"receipt:{str(receipt.pk)[:8]}:{page + 1}")
    if receipt.content_type != "application/pdf":
        return data, "image/jpeg"
    # Rendered in the limited child, within the desk's pixel cap (2400 px on the long side).
    try:
        rendered = pdf_pages(data, indices=[page], dpi=144,
                             max_pixels=MAX_PAGE_PIXELS * MAX_PAGE_PIXELS)
    except (PdfLimitExceeded, ValueError) as exc:
        raise NotFound(_("This page cannot be shown."), code="page_unrenderable") from exc
    image = rendered[0].image if rendered else None
    if image is None:
        raise NotFound(_("No such file."))
    scale = min(1.0, MAX_PAGE_PIXELS / max(image.width, image.height, 1))
    if scale < 1.0:
        image = image.resize((max(1, round(image.width * scale)),
                              max(1, round(image.height * scale))))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png"


# Bulk -----------------------------------------------------------------------------------------

BULK_MAX = 5000


def bulk_start(*, actor: User, action: str, claim_ids: Sequence[int],
               params: dict[str, Any]) -> BulkJob:
    """Record a bulk decision and run it in the background (inline with immediate tasks)."""
    require(actor, "claims.bulk")
    if action not in BULK_ACTIONS:
        raise DomainError(_("Unknown action."), code="invalid_action")
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise DomainError(_("Select at least one claim."), code="selection_empty")
    if len(ids) > BULK_MAX:
        raise DomainError(_("Select at most %(n)s claims.") % {"n": BULK_MAX},
                          code="selection_too_large")
    if scope_by_brand(Claim.objects.filter(pk__in=ids), actor).count() != len(ids):
        raise NotFound(_("No such claim."))
    job = BulkJob.objects.create(actor=actor, action=action, params=params, claim_ids=ids)
    from rabatt.review.tasks import run_bulk_job

    job_id = str(job.pk)
    transaction.on_commit(lambda: run_bulk_job.enqueue(job_id))
    return job


def bulk_run(*, job_id: str) -> BulkJob:
    """Apply the job's decision to each claim not done yet; safe to run again after a crash."""
    job = BulkJob.objects.select_related("actor").get(pk=job_id)
    BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.QUEUED).update(
        status=BulkJob.Status.RUNNING)
    done = set(BulkResult.objects.filter(job=job).values_list("claim_id", flat=True))
    references = dict(Claim.objects.filter(pk__in=job.claim_ids).values_list("pk", "reference"))
    for claim_id in job.claim_ids:
        if claim_id in done:
            continue
        ref = references.get(claim_id, "")
        try:
            with transaction.atomic():
                decision = decide(action=job.action, claim_id=claim_id, actor=job.actor,
                                  params=job.params)
                BulkResult.objects.create(job=job, claim_id=claim_id, reference=ref, ok=True,
                                          outcome=decision.outcome)
        except DomainError as exc:
            BulkResult.objects.get_or_create(job=job, claim_id=claim_id, defaults={
                "reference": ref, "ok": False, "outcome": exc.code,
                "message": str(exc.message)})
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.DONE, finished_at=utcnow())
    job.refresh_from_db()
    return job
