"""Reads for the review desk: the queue (keyset pages), counts, a claim with its context."""

from __future__ import annotations

import base64
import heapq
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from rabatt.accounts import conf
from rabatt.campaigns.rules import Purchase, PurchaseLine, Quote
from rabatt.campaigns.services import campaign_quote
from rabatt.claims.models import Claim, ClaimStatus, InfoReason
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.receipts.checking import FIELDS
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
    return (Q(signals__bank_holder_match__lt=BANK_HOLDER_MATCH_MIN)
            | (Q(signals__has_key="risk_flags") & ~Q(signals__risk_flags=[])))


def _filtered(filters: QueueFilters, actor: Any) -> QuerySet[Claim]:
    qs = Claim.objects.all()
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
              .select_related("campaign", "assignment__agent")
              .only("pk", "reference", "status", "campaign__slug", "campaign__name",
                    "purchase_country", "currency", "amount", "submitted_at",
                    "info_requested_at", "info_due_at", "payment_due_at", "signals",
                    "assignment__agent__username", "assignment__touched_at")
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


def queue_counts(*, campaign: str = "") -> dict[str, int]:
    """Claims per state, for one campaign or all; cached a minute (a GROUP BY over the whole
    table is too dear for every page view of a million claims)."""
    key = f"review:counts:{campaign or '*'}"
    counts = cache.get(key)
    if counts is None:
        qs = Claim.objects.all()
        if campaign:
            qs = qs.filter(campaign__slug=campaign)
        found = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        counts = {s: int(found.get(s, 0)) for s in ClaimStatus.values}
        cache.set(key, counts, COUNTS_SECONDS)
    return dict(counts)


def claim_by_reference(*, reference: str) -> Claim:
    claim = (Claim.objects.select_related("campaign", "retailer", "subject", "code", "bank")
             .filter(reference=reference.strip().upper()).first())
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


def claim_risk_flags(*, claim: Claim) -> list[str]:
    """Risk flags read from ``claim.signals`` (written by the receipt and bank checks)."""
    signals = claim.signals if isinstance(claim.signals, dict) else {}
    raw = signals.get("risk_flags")
    # Old or hand-edited rows may hold anything here; only a list of codes counts.
    flags = [str(f) for f in raw] if isinstance(raw, list) else []
    match = signals.get("bank_holder_match")
    if isinstance(match, int | float) and match < BANK_HOLDER_MATCH_MIN:
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


def claim_related(*, claim: Claim, address: bool = False) -> dict[str, list[Claim]]:
    """Other claims sharing something with this one, by what they share.

    The address match has no index in claims yet, so it runs only when asked for.
    """
    others = Claim.objects.exclude(pk=claim.pk).only("pk", "reference", "status")
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


def info_reason_texts(*, claim: Claim) -> dict[str, dict[str, str]]:
    """The request-for-information reasons in English and Bokmål, to prefill the message."""
    texts: dict[str, dict[str, str]] = {}
    for lang in ("en", "nb"):
        with translation.override(lang):
            texts[lang] = {
                "intro": str(_("Hello %(name)s, to finish checking your claim %(reference)s "
                               "we need the following:") % {"name": claim.first_name,
                                                            "reference": claim.reference}),
                **{value: str(label) for value, label in InfoReason.choices},
            }
    return texts


# Receipt checks for the claim page -----------------------------------------------------------
#
# ``claim.signals`` is written by the receipt reading in the background and may come from an
# older version of it, so everything below reads it defensively: a missing or malformed part is
# left out of the page, never an error.

FIELD_ORDER = FIELDS  # the order the receipt check writes them in
FIELD_LABELS = {
    "retailer": _("Retailer"),
    "date": _("Purchase date"),
    "total": _("Total"),
    "currency": _("Currency"),
}
CHECK_LABELS = {
    "verified": _("Matches"),
    "mismatch": _("Differs"),
    "unreadable": _("Not readable"),
}
# A sign beside the words, so the status never depends on colour alone.
CHECK_MARKS = {"verified": "✓", "mismatch": "✗", "unreadable": "?"}
DUPLICATE_KINDS = {
    "exact": _("the same receipt file"),
    "near": _("a nearly identical picture"),
    "text": _("the same purchase read from the receipt"),
}
AUTOMATIC_OUTCOMES = {
    "approved": _("Approved automatically"),
    "sampled": _("Picked for a supervisor's check"),
    "not_eligible": _("Not eligible for automatic approval"),
    "off": _("Automatic approval is off"),
}
AUTOMATIC_DETAILS = {
    "approved": _("Every check passed, so the claim was approved without an agent."),
    "sampled": _("Every check passed, but the claim was picked at random for a person to "
                 "look at before it is approved."),
    "not_eligible": _("An agent decides, because:"),
    "off": _("Automatic approval is not switched on for this campaign; an agent decides."),
}
AUTOMATIC_REASONS = {
    "field_not_verified": _("a field on the receipt could not be confirmed"),
    "risk_flags": _("the claim has risk flags"),
    "over_limit": _("the amount is above the limit for automatic approval"),
    "four_eyes": _("the approval needs a second approver"),
    "reading_failed": _("the receipts could not be read"),
    "not_enabled": _("automatic approval is not switched on for this campaign"),
    "not_waiting": _("someone had already started on the claim"),
    "processing_restricted": _("the person has asked us to restrict the use of their data"),
}
READING_STATES = ("reading", "done", "failed")
_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


@dataclass(frozen=True)
class EvidenceBox:
    """Where a field was read on one page, as percentages of the page (for the SVG overlay)."""

    name: str
    label: str
    status: str
    status_label: str
    mark: str
    left: str
    top: str
    width: str
    height: str


@dataclass(frozen=True)
class FieldCheck:
    name: str
    label: str
    entered: str
    read: str | None
    status: str
    status_label: str
    mark: str
    confidence: int | None  # percent
    evidence_text: str
    file: str | None
    page: int | None  # 1-based, as in the receipt page URLs
    box: EvidenceBox | None


@dataclass(frozen=True)
class DuplicateLink:
    kind: str
    kind_label: str
    reference: str
    url: str  # empty when the stored reference cannot be a claim's
    status_label: str
    distance: int | None


@dataclass(frozen=True)
class ReceiptProgress:
    status: str  # reading, done, failed
    files: int
    read: int
    checked_at: datetime | None


@dataclass(frozen=True)
class AutomaticOutcome:
    outcome: str
    headline: str
    detail: str
    reasons: list[str]


@dataclass
class ClaimChecks:
    """Everything the claim page shows about the receipt checks, ready for the templates."""

    progress: ReceiptProgress | None
    fields: list[FieldCheck]
    duplicates: list[DuplicateLink]
    automatic: AutomaticOutcome | None
    bank_holder_match: int | None  # percent
    boxes: dict[tuple[str, int], list[EvidenceBox]] = field(default_factory=dict)

    @property
    def reading(self) -> bool:
        return self.progress is not None and self.progress.status == "reading"

    def boxes_on(self, file_id: Any, page: int) -> list[EvidenceBox]:
        return self.boxes.get((str(file_id), page), [])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _count(value: Any) -> int:
    number = _number(value)
    return max(0, int(number)) if number is not None else 0


def _percent(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    return round(min(1.0, max(0.0, number)) * 100)


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _pct(part: float, whole: float) -> str:
    return f"{min(100.0, max(0.0, part / whole * 100)):.2f}"


def _evidence_box(name: str, label: str, status: str, evidence: dict[str, Any]
                  ) -> tuple[int, EvidenceBox] | None:
    """The evidence's page (0-based) and its box in percent, or None if it cannot be drawn."""
    box = evidence.get("box")
    if not isinstance(box, list) or len(box) != 5:
        return None
    page = evidence.get("page", box[0])
    coords = [_number(v) for v in box[1:]]
    width, height = _number(evidence.get("page_width")), _number(evidence.get("page_height"))
    if (isinstance(page, bool) or not isinstance(page, int) or page < 0
            or width is None or height is None or width <= 0 or height <= 0):
        return None
    x0, y0, x1, y1 = (c if c is not None else math.nan for c in coords)
    if not (x1 > x0 and y1 > y0):  # also false for a missing (NaN) coordinate
        return None
    return page, EvidenceBox(
        name=name, label=label, status=status, status_label=str(CHECK_LABELS.get(status, status)),
        mark=CHECK_MARKS.get(status, "•"),
        left=_pct(x0, width), top=_pct(y0, height),
        width=_pct(x1 - x0, width), height=_pct(y1 - y0, height))


def _field_checks(raw: Any, file_ids: set[str]) -> list[FieldCheck]:
    if not isinstance(raw, dict):
        return []
    names = [n for n in FIELD_ORDER if n in raw] + sorted(
        str(n) for n in raw if n not in FIELD_ORDER)
    checks = []
    for name in names:
        f = raw.get(name)
        if not isinstance(f, dict):
            continue
        status = _text(f.get("status"))
        label = str(FIELD_LABELS.get(name, name))
        file = _text(f.get("file")).lower() or None
        evidence = f.get("evidence") if isinstance(f.get("evidence"), dict) else None
        drawn = _evidence_box(name, label, status, evidence) if evidence else None
        # A box is drawn only on a file of this claim: the page must exist to carry it.
        if file not in file_ids:
            drawn = None
        read = f.get("read")
        checks.append(FieldCheck(
            name=name, label=label, entered=_text(f.get("entered")),
            read=None if read is None else _text(read), status=status,
            status_label=str(CHECK_LABELS.get(status, status)), mark=CHECK_MARKS.get(status, "•"),
            confidence=_percent(f.get("confidence")),
            evidence_text=_text(evidence.get("text")) if evidence else "",
            file=file, page=drawn[0] + 1 if drawn else None, box=drawn[1] if drawn else None))
    return checks


def _progress(raw: Any) -> ReceiptProgress | None:
    if not isinstance(raw, dict) or raw.get("status") not in READING_STATES:
        return None
    files, read = _count(raw.get("files")), _count(raw.get("read"))
    checked = raw.get("checked_at")
    try:
        when = parse_datetime(checked) if isinstance(checked, str) else None
    except ValueError:  # well formed but impossible, such as a 30 February
        when = None
    return ReceiptProgress(status=raw["status"], files=files,
                           read=min(read, files) if files else read, checked_at=when)


def _duplicates(raw: Any) -> list[DuplicateLink]:
    from django.urls import reverse

    links = []
    for d in raw if isinstance(raw, list) else []:
        if not isinstance(d, dict):
            continue
        reference = _text(d.get("claim"))
        if not reference:
            continue
        kind = _text(d.get("kind"))
        status = _text(d.get("status"))
        distance = d.get("distance")
        links.append(DuplicateLink(
            kind=kind, kind_label=str(DUPLICATE_KINDS.get(kind, kind)), reference=reference,
            url=reverse("review:claim", args=[reference]) if _REFERENCE.match(reference) else "",
            status_label=str(ClaimStatus(status).label) if status in ClaimStatus.values
            else status,
            distance=distance if isinstance(distance, int) and not isinstance(distance, bool)
            else None))
    return links


def _automatic(raw: Any) -> AutomaticOutcome | None:
    if not isinstance(raw, dict) or raw.get("outcome") not in AUTOMATIC_OUTCOMES:
        return None
    outcome = raw["outcome"]
    codes = raw.get("reasons")
    reasons = ([str(AUTOMATIC_REASONS.get(str(c), str(c))) for c in codes]
               if isinstance(codes, list) and outcome == "not_eligible" else [])
    return AutomaticOutcome(outcome=outcome, headline=str(AUTOMATIC_OUTCOMES[outcome]),
                            detail=str(AUTOMATIC_DETAILS[outcome]), reasons=reasons)


def claim_checks(*, claim: Claim, files: list[Any]) -> ClaimChecks:
    """The receipt checks of ``claim.signals`` for display, boxes keyed by (file id, page)."""
    signals = claim.signals if isinstance(claim.signals, dict) else {}
    fields = _field_checks(signals.get("fields"), {str(f.pk) for f in files})
    boxes: dict[tuple[str, int], list[EvidenceBox]] = {}
    for check in fields:
        if check.box is not None and check.file is not None and check.page is not None:
            boxes.setdefault((check.file, check.page), []).append(check.box)
    return ClaimChecks(
        progress=_progress(signals.get("receipts")), fields=fields,
        duplicates=_duplicates(signals.get("duplicates")),
        automatic=_automatic(signals.get("automatic")),
        bank_holder_match=_percent(signals.get("bank_holder_match")), boxes=boxes)
