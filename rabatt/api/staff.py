"""API endpoints for staff, with personal tokens (`Authorization: Bearer rbt_...`).

The same services as the review desk: the same role checks, holds and four-eyes rules.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from rabatt.accounts.roles import require
from rabatt.accounts.services import token_user
from rabatt.claims.models import Claim, ClaimStatus, InfoReason
from rabatt.review import presenters, selectors, services


class StaffToken(HttpBearer):
    openapi_description = "A personal staff token from `rabatt staff token create EMAIL`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_user(plain=token)


router = Router(tags=["staff"], auth=StaffToken())


def _actor(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


class ErrorOut(Schema):
    code: str
    message: str


class ClaimRow(Schema):
    reference: str
    status: str
    campaign: str
    country: str
    currency: str
    amount: Decimal
    submitted_at: datetime
    due_at: datetime | None = Field(None, description="The date the queue sorts by")
    risk_flags: list[str]
    pending_second_approval: bool


class ClaimPage(Schema):
    items: list[ClaimRow]
    next: str | None = Field(None, description="Pass as `after` for the next page")


class LineOut(Schema):
    product: str
    price: Decimal
    quantity: int
    qualifying: bool


class EventOut(Schema):
    at: datetime
    kind: str
    from_status: str
    to_status: str
    actor: str | None
    reasons: list[str]
    message: str


class FileOut(Schema):
    id: str
    display_name: str
    content_type: str
    pages: int
    reading_status: str = Field(description="pending, reading, done, failed or unsupported")
    readability: dict[str, Any] = Field(description="score, blurry, low_contrast, measured "
                                                    "at upload")
    extraction: dict[str, Any] = Field(description="What was read, with evidence boxes "
                                                   "(see docs/receipt-checks.md)")


class ClaimOut(Schema):
    reference: str
    status: str
    campaign: str
    locale: str
    first_name: str
    last_name: str
    email: str
    address: dict[str, str]
    purchase_country: str
    retailer: str | None
    purchased_at: datetime
    order_number: str
    currency: str
    amount: Decimal
    bank_masked: str | None
    submitted_at: datetime
    info_due_at: datetime | None
    payment_due_at: datetime | None
    signals: dict[str, Any]
    risk_flags: list[str]
    four_eyes: list[str]
    pending_second_approval: bool
    decided_automatically: bool
    lines: list[LineOut]
    events: list[EventOut]
    files: list[FileOut]


class DecisionIn(Schema):
    message: str = Field("", max_length=4000)


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=200)
    message: str = Field("", max_length=4000)


class InfoIn(Schema):
    reasons: list[InfoReason] = Field(min_length=1)
    message: str = Field("", max_length=4000)


class DecisionOut(Schema):
    reference: str
    status: str = Field(description="The claim's status, or `pending_second_approval`")


def _row(claim: Claim, sort: str, pending: set[int]) -> dict[str, Any]:
    return {"reference": claim.reference, "status": claim.status,
            "campaign": claim.campaign.slug, "country": claim.purchase_country,
            "currency": claim.currency, "amount": claim.amount,
            "submitted_at": claim.submitted_at, "due_at": getattr(claim, sort),
            "risk_flags": selectors.claim_risk_flags(claim=claim),
            "pending_second_approval": claim.pk in pending}


@router.get("/claims", response={200: ClaimPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
            summary="List claims, most urgent first (keyset pages)")
def claims_list(request: HttpRequest, status: ClaimStatus | None = None, campaign: str = "",
                country: str = "", after: str | None = None,
                limit: int = Query(50, ge=1, le=200)) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, "claims.view")
    filters = selectors.QueueFilters(
        statuses=(status,) if status else tuple(selectors.OPEN_STATUSES),
        campaign=campaign, country=country)
    page = selectors.queue_page(actor=actor, filters=filters, after=after, limit=limit)
    return {"items": [_row(c, page.sort_field, page.pending_approval) for c in page.rows],
            "next": page.next_cursor}


def _claim_out(claim: Claim) -> dict[str, Any]:
    bank = getattr(claim, "bank", None)
    return {
        "reference": claim.reference, "status": claim.status, "campaign": claim.campaign.slug,
        "locale": claim.locale, "first_name": claim.first_name, "last_name": claim.last_name,
        "email": claim.email,
        "address": {"line1": claim.address_line1, "line2": claim.address_line2,
                    "postcode": claim.postcode, "city": claim.city,
                    "country": claim.address_country},
        "purchase_country": claim.purchase_country,
        "retailer": claim.retailer.code if claim.retailer else None,
        "purchased_at": claim.purchased_at, "order_number": claim.order_number,
        "currency": claim.currency, "amount": claim.amount,
        "bank_masked": bank.masked if bank is not None else None,
        "submitted_at": claim.submitted_at, "info_due_at": claim.info_due_at,
        "payment_due_at": claim.payment_due_at, "signals": presenters.claim_signals(claim=claim),
        "risk_flags": selectors.claim_risk_flags(claim=claim),
        "four_eyes": selectors.four_eyes_reasons(claim=claim),
        "pending_second_approval": selectors.pending_approval(claim=claim) is not None,
        "decided_automatically": claim.decided_automatically,
        "files": [{"id": str(f.pk), "display_name": f.display_name,
                   "content_type": f.content_type, "pages": f.page_count,
                   "reading_status": f.reading_status, "readability": f.readability or {},
                   "extraction": f.extraction or {}} for f in claim.files.all()],
        "lines": [{"product": x.product.code, "price": x.price, "quantity": x.quantity,
                   "qualifying": x.qualifying} for x in claim.lines.select_related("product")],
        "events": [{"at": e.at, "kind": e.kind, "from_status": e.from_status,
                    "to_status": e.to_status, "actor": e.actor.username if e.actor else None,
                    "reasons": e.reasons, "message": e.message}
                   for e in claim.events.select_related("actor")],
    }


@router.get("/claims/{reference}", response={200: ClaimOut, 401: ErrorOut, 403: ErrorOut,
                                             404: ErrorOut},
            summary="One claim with its lines and history (the view is audited)")
def claims_get(request: HttpRequest, reference: str) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, "claims.view")
    claim = selectors.claim_by_reference(reference=reference, actor=_actor(request))
    services.access_log(actor=actor, claim=claim, what="claim", via="api")
    return _claim_out(claim)


DECISION_RESPONSES: dict[int, Any] = {200: DecisionOut, 401: ErrorOut, 403: ErrorOut,
                                      404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _decided(decision: services.Decision) -> Status:
    status = 202 if decision.outcome == services.PENDING_SECOND_APPROVAL else 200
    return Status(status, {"reference": decision.claim.reference, "status": decision.outcome})


@router.post("/claims/{reference}/approve", response={**DECISION_RESPONSES, 202: DecisionOut},
             summary="Approve (202 `pending_second_approval` when a second approver is needed)")
def claims_approve(request: HttpRequest, reference: str,
                   payload: DecisionIn) -> Status:
    claim = selectors.claim_by_reference(reference=reference, actor=_actor(request))
    return _decided(services.decide_approve(claim_id=claim.pk, actor=_actor(request),
                                            message=payload.message))


@router.post("/claims/{reference}/reject", response=DECISION_RESPONSES, summary="Reject")
def claims_reject(request: HttpRequest, reference: str,
                  payload: RejectIn) -> Status:
    claim = selectors.claim_by_reference(reference=reference, actor=_actor(request))
    return _decided(services.decide_reject(claim_id=claim.pk, actor=_actor(request),
                                           reason=payload.reason, message=payload.message))


@router.post("/claims/{reference}/request-info", response=DECISION_RESPONSES,
             summary="Ask the consumer for missing information (7 days to answer)")
def claims_request_info(request: HttpRequest, reference: str,
                        payload: InfoIn) -> Status:
    claim = selectors.claim_by_reference(reference=reference, actor=_actor(request))
    return _decided(services.decide_request_info(
        claim_id=claim.pk, actor=_actor(request), reasons=[str(r) for r in payload.reasons],
        message=payload.message))


@router.post("/claims/{reference}/void", response=DECISION_RESPONSES,
             summary="Void an approved or paid claim (product returned)")
def claims_void(request: HttpRequest, reference: str,
                payload: DecisionIn) -> Status:
    claim = selectors.claim_by_reference(reference=reference, actor=_actor(request))
    return _decided(services.decide_void(claim_id=claim.pk, actor=_actor(request),
                                         message=payload.message))
