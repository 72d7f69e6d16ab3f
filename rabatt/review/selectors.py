"""Reads for the review desk: the queue (keyset pages), counts, a claim with its context."""

from __future__ import annotations

import base64
import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from rabatt.accounts import conf
from rabatt.accounts.selectors import brand_ids_visible_to, scope_by_brand
from rabatt.campaigns.rules import Purchase, PurchaseLine, Quote
from rabatt.campaigns.services import campaign_quote
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.receipts.checking import risk_flags_of
from rabatt.receipts.models import ReceiptCheck
from rabatt.review.models import ApprovalRequest, Assignment

PAGE_SIZE = 50
COUNTS_SECONDS = 60
# Below this bank-holder name match the claim counts as risky (see receipts/payouts signals).
BANK_HOLDER_MATCH_MIN = 0.6

# The queue's default: what still needs an agent.
OPEN_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW)
# Each state is sorted by the date that is due next in it; every field here is indexed together
# with the status, or alone (see docs/review-desk.md for the index claims still needs).
SORT_FIELDS: dict[str, str] = {
    ClaimStatus.SUBMITTED: "submitted_at",
    ClaimStatus.IN_REVIEW: "submitted_at",
    # The answer is due 7 days after the request is sent, so the request time sorts the same
    # way and is never empty (info_due_at is set only once the e-mail has left).
    ClaimStatus.INFO_REQUESTED: "info_requested_at",
    ClaimStatus.APPROVED: "payment_due_at",
    ClaimStatus.PAYMENT_FAILED: "payment_due_at",
}

RISK_LABELS = {
    "bank_holder_mismatch": _("Account holder differs from the applicant"),
    "duplicate_receipt": _("The same receipt is on another claim"),
    "duplicate_bank": _("The same bank account is on another claim"),
    "near_duplicate_receipt": _("A nearly identical receipt picture is on another claim"),
    "same_purchase_elsewhere": _("The same purchase is claimed on another claim"),
}


@dataclass(frozen=True)
class QueueFilters:
    statuses: tuple[str, ...] = tuple(OPEN_STATUSES)
    campaign: str = ""          # slug
    country: str = ""           # purchase country
    older_than_days: int | None = None
    risk: bool = False
    mine: bool = False
    second_approval: bool = False


@dataclass
class QueuePage:
    rows: list[Claim]
    next_cursor: str | None
    sort_field: str
    pending_approval: set[int] = field(default_factory=set)


def sort_field_for(statuses: tuple[str, ...]) -> str:
    fields = {SORT_FIELDS.get(s, "submitted_at") for s in statuses}
    return fields.pop() if len(fields) == 1 else "submitted_at"


def cursor_encode(value: datetime | None, pk: int) -> str:
    raw = f"{value.isoformat() if value else ''}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        value = parse_datetime(when)
        if value is None:
            raise ValueError(when)
        return value, int(pk)
    except (ValueError, UnicodeDecodeError):
        raise DomainError(_("This page link is not valid."), code="invalid_cursor",
                          fields={"after": "invalid"}) from None


def risk_q() -> Q:
    """Claims with at least one risk flag (see :func:`claim_risk_flags`)."""
    return (Q(bank_holder_match__lt=BANK_HOLDER_MATCH_MIN)
            | Q(receipt_check__duplicate_count__gt=0))


def _filtered(filters: QueueFilters, actor: Any) -> QuerySet[Claim]:
    qs = scope_by_brand(Claim.objects.all(), actor)
    if filters.campaign:
        qs = qs.filter(campaign__slug=filters.campaign)
    if filters.country:
        qs = qs.filter(purchase_country=filters.country.upper())
    if filters.older_than_days is not None:
        qs = qs.filter(submitted_at__lte=utcnow() - timedelta(days=filters.older_than_days))
    if filters.risk:
        qs = qs.filter(risk_q())
    if filters.mine:
        fresh = utcnow() - timedelta(seconds=conf.assignment_seconds())
        qs = qs.filter(pk__in=Assignment.objects.filter(agent=actor, touched_at__gte=fresh)
                       .values("claim_id"))
    if filters.second_approval:
        qs = qs.filter(pk__in=ApprovalRequest.objects.filter(
            status=ApprovalRequest.Status.PENDING).values("claim_id"))
    return qs


def queue_page(*, actor: Any, filters: QueueFilters, after: str | None = None,
               limit: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue, most urgent first, after ``after`` (a keyset cursor).

    Every state is read separately along its (status, date) index and the pages merged, so a
    page costs a few short index scans whatever the size of the table: no OFFSET, no COUNT.
    """
    sort = sort_field_for(filters.statuses)
    base = _filtered(filters, actor)
    if after:
        value, pk = cursor_decode(after)
        base = base.filter(**{f"{sort}__gte": value}).exclude(**{sort: value, "pk__lte": pk})
    streams = []
    for status in filters.statuses:
        qs = (base.filter(status=status, **{f"{sort}__isnull": False})
              .select_related("campaign", "assignment__agent", "receipt_check")
              .only("pk", "reference", "status", "campaign__slug", "campaign__name",
                    "purchase_country", "currency", "amount", "submitted_at",
                    "info_requested_at", "info_due_at", "payment_due_at", "bank_holder_match",
                    "assignment__agent__username", "assignment__touched_at",
                    "receipt_check__duplicates")
              .order_by(sort, "pk")[: limit + 1])
        streams.append(list(qs))
    merged = list(heapq.merge(*streams, key=lambda c: (getattr(c, sort), c.pk)))
    rows, more = merged[:limit], len(merged) > limit
    last = rows[-1] if rows else None
    pending = set(ApprovalRequest.objects.filter(
        claim_id__in=[c.pk for c in rows], status=ApprovalRequest.Status.PENDING,
    ).values_list("claim_id", flat=True))
    return QueuePage(rows=rows, sort_field=sort, pending_approval=pending,
                     next_cursor=cursor_encode(getattr(last, sort), last.pk)
                     if more and last else None)


def queue_counts(*, actor: Any, campaign: str = "") -> dict[str, int]:
    """Claims per state the actor may see, for one campaign or all; cached a minute (a GROUP
    BY over the whole table is too dear for every page view of a million claims)."""
    ids = brand_ids_visible_to(actor)
    scope = "*" if ids is None else ",".join(map(str, sorted(ids)))
    key = f"review:counts:{scope}:{campaign or '*'}"
    counts = cache.get(key)
    if counts is None:
        qs = scope_by_brand(Claim.objects.all(), actor)
        if campaign:
            qs = qs.filter(campaign__slug=campaign)
        found = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        counts = {s: int(found.get(s, 0)) for s in ClaimStatus.values}
        cache.set(key, counts, COUNTS_SECONDS)
    return dict(counts)


def claim_by_reference(*, reference: str, actor: Any) -> Claim:
    """The claim with ``reference`` if ``actor`` serves its brand; else NotFound."""
    claim = (scope_by_brand(Claim.objects.all(), actor)
             .select_related("campaign", "retailer", "subject", "code", "bank")
             .filter(reference=reference.strip().upper()).first())
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


def claim_risk_flags(*, claim: Claim) -> list[str]:
    """The claim's risk flags: the bank holder's name, and what the receipt check found."""
    try:
        check: ReceiptCheck | None = claim.receipt_check
    except ReceiptCheck.DoesNotExist:
        check = None
    flags = risk_flags_of(check)
    if claim.bank_holder_match is not None and claim.bank_holder_match < BANK_HOLDER_MATCH_MIN:
        flags.insert(0, "bank_holder_mismatch")
    return flags


def four_eyes_limit(*, claim: Claim) -> Decimal | None:
    limits = (claim.campaign.review or {}).get("four_eyes_above") or {}
    limit = limits.get(claim.currency)
    return Decimal(str(limit)) if limit is not None else None


def four_eyes_reasons(*, claim: Claim) -> list[str]:
    """Why an approval of this claim needs a second approver: "amount", "risk", or nothing."""
    why = []
    limit = four_eyes_limit(claim=claim)
    if limit is not None and claim.amount > limit:
        why.append("amount")
    if claim_risk_flags(claim=claim):
        why.append("risk")
    return why


def pending_approval(*, claim: Claim) -> ApprovalRequest | None:
    return (ApprovalRequest.objects.select_related("requested_by")
            .filter(claim=claim, status=ApprovalRequest.Status.PENDING).first())


def assignment_of(*, claim: Claim) -> Assignment | None:
    """The live hold on a claim, if any (an expired one is as good as none)."""
    row = Assignment.objects.select_related("agent").filter(claim=claim).first()
    fresh = utcnow() - timedelta(seconds=conf.assignment_seconds())
    return row if row is not None and row.touched_at >= fresh else None


def claim_live_quote(*, claim: Claim) -> Quote:
    """The quote today's campaign rules give for what the consumer typed (as of submission)."""
    lines = [PurchaseLine(product=line.product.code, price=line.price, quantity=line.quantity)
             for line in claim.lines.select_related("product")]
    return campaign_quote(campaign=claim.campaign, purchase=Purchase(
        country=claim.purchase_country, channel=claim.channel,
        retailer=claim.retailer.code if claim.retailer else None,
        purchased_at=claim.purchased_at, claimed_at=claim.submitted_at, lines=lines,
    ))


RELATED_LIMIT = 20


def claim_related(*, claim: Claim, actor: Any,
                  address: bool = False) -> dict[str, list[Claim]]:
    """Other claims the actor may see sharing something with this one, by what they share.

    The address match has no index in claims yet, so it runs only when asked for.
    """
    others = (scope_by_brand(Claim.objects.all(), actor).exclude(pk=claim.pk)
              .only("pk", "reference", "status"))
    found: dict[str, list[Claim]] = {
        "code": list(others.filter(code__code=claim.code.code)[:RELATED_LIMIT]),
        "email": list(others.filter(Q(subject_id=claim.subject_id) | Q(email=claim.email))
                      [:RELATED_LIMIT]),
    }
    bank = getattr(claim, "bank", None)
    found["bank"] = (list(others.filter(bank__fingerprint=bank.fingerprint)[:RELATED_LIMIT])
                     if bank is not None else [])
    hashes = list(claim.files.values_list("sha256", flat=True))
    found["receipt"] = (list(others.filter(files__sha256__in=hashes).distinct()[:RELATED_LIMIT])
                        if hashes else [])
    if address:
        found["address"] = list(others.filter(
            address_country=claim.address_country, postcode__iexact=claim.postcode,
            address_line1__iexact=claim.address_line1)[:RELATED_LIMIT])
    return found
