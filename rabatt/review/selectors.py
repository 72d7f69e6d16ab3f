"""Reads for the review desk: the queue (keyset pages), counts, a claim with its context."""

from __future__ import annotations

import base64
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rabatt.accounts import conf
from rabatt.accounts.selectors import brand_ids_visible_to, scope_by_brand
from rabatt.campaigns.models import Cap
from rabatt.campaigns.rules import Purchase, PurchaseLine, Quote
from rabatt.campaigns.services import campaign_quote
from rabatt.claims.models import BankDetails, Claim, ClaimStatus
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.formats import money
from rabatt.core.timeutil import utcnow
from rabatt.receipts.checking import RISK_FLAGS as DUPLICATE_FLAGS
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
    "bank_shared": _("One bank account for claims of different people"),
    "device_shared": _("One browser for claims of different people"),
    "email_pattern": _("Many claims from one e-mail pattern"),
    "receipt_contradicts": _("The receipt contradicts the claim"),
    "near_duplicate_receipt": _("A nearly identical receipt picture is on another claim"),
    "same_purchase_elsewhere": _("The same purchase is claimed on another claim"),
    "amount_near_cap": _("The amount is near the cap"),
}
# How much each flag weighs when the queue sorts by risk: evidence of one person behind many
# claims weighs most, an amount near the cap least (it is also what honest buyers of the
# dearest products claim).
RISK_WEIGHTS = {
    "bank_shared": 5, "duplicate_receipt": 5, "same_purchase_elsewhere": 4,
    "near_duplicate_receipt": 4, "device_shared": 4, "email_pattern": 3, "receipt_contradicts": 3,
    "bank_holder_mismatch": 3, "amount_near_cap": 1,
}
# Different addresses of one e-mail pattern (this claim's included) that raise the flag.
EMAIL_PATTERN_MIN = 3
# The share of the cap from which an amount is "near the cap".
NEAR_CAP = Decimal("0.9")


@dataclass(frozen=True)
class QueueFilters:
    statuses: tuple[str, ...] = tuple(OPEN_STATUSES)
    campaign: str = ""          # slug
    country: str = ""           # purchase country
    older_than_days: int | None = None
    risk: bool = False
    mine: bool = False
    second_approval: bool = False
    sort: str = ""              # "" (most urgent first) or "risk" (riskiest first)


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


def _risk_conditions() -> dict[str, Q]:
    """Each risk flag as a condition on a claim row, for the queue's filter and sort."""
    shared_bank = BankDetails.objects.filter(
        fingerprint=OuterRef("bank__fingerprint")).exclude(
        claim__subject_id=OuterRef("subject_id"))
    same_pattern = (Claim.objects.filter(email_pattern=OuterRef("email_pattern"))
                    .values("email_pattern").annotate(n=Count("email", distinct=True))
                    .values("n"))
    shared_device = Claim.objects.filter(device_fingerprint=OuterRef("device_fingerprint")).exclude(
        subject_id=OuterRef("subject_id"))
    cap = Cap.objects.filter(campaign_id=OuterRef("campaign_id"), channel=OuterRef("channel"),
                             currency=OuterRef("currency")).values("amount")[:1]
    contradicts = Q()
    for name in ("retailer", "date", "total", "currency"):
        contradicts |= Q(**{f"receipt_check__fields__{name}__status": "mismatch"})
    return {
        "bank_shared": Q(Exists(shared_bank)),
        "device_shared": ~Q(device_fingerprint="") & Q(Exists(shared_device)),
        "duplicate_receipt": Q(receipt_check__duplicate_count__gt=0),
        "email_pattern": ~Q(email_pattern="") & Q(GreaterThanOrEqual(
            Subquery(same_pattern[:1], output_field=IntegerField()), EMAIL_PATTERN_MIN)),
        "receipt_contradicts": contradicts,
        "bank_holder_mismatch": Q(bank_holder_match__lt=BANK_HOLDER_MATCH_MIN),
        "amount_near_cap": Q(capped=True) | Q(amount__gte=Subquery(cap) * NEAR_CAP),
    }


def risk_q() -> Q:
    """Claims with at least one risk flag (see :func:`claim_risk`)."""
    found = Q()
    for condition in _risk_conditions().values():
        found |= condition
    return found


def risk_score() -> Any:
    """The sum of the weights of a claim's risk flags, as an SQL expression."""
    conditions = _risk_conditions()
    return sum((Case(When(conditions[code], then=Value(weight)), default=Value(0),
                     output_field=IntegerField())
                for code, weight in RISK_WEIGHTS.items() if code in conditions), Value(0))


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
    if filters.sort == "risk":
        return _risk_page(base, filters, sort, after, limit)
    if after:
        value, pk = cursor_decode(after)
        base = base.filter(**{f"{sort}__gte": value}).exclude(**{sort: value, "pk__lte": pk})
    streams = []
    for status in filters.statuses:
        qs = (with_risk(base.filter(status=status, **{f"{sort}__isnull": False}))
              .select_related("campaign", "assignment__agent", "receipt_check")
              .only(*_QUEUE_COLUMNS)
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


_QUEUE_COLUMNS = ("pk", "reference", "status", "campaign__slug", "campaign__name",
                  "purchase_country", "currency", "amount", "submitted_at",
                  "info_requested_at", "info_due_at", "payment_due_at", "bank_holder_match",
                  "assignment__agent__username", "assignment__touched_at",
                  "receipt_check__duplicates")


QUEUE_EXPORT_HEADER = ("reference", "campaign", "status", "purchase_country", "currency",
                       "amount", "submitted_at", "info_due_at", "payment_due_at", "agent",
                       "risk_score", "risk_flags")


def queue_export_rows(*, actor: Any, filters: QueueFilters,
                      chunk: int = 2000) -> Iterator[tuple[Any, ...]]:
    """Every claim the queue shows for ``filters``, in its order, read in chunks (no personal
    data: the consumer's name, address and account stay on the claim page)."""
    sort = sort_field_for(filters.statuses)
    qs = with_risk(_filtered(filters, actor).filter(status__in=filters.statuses))
    order = ("-risk_score", sort, "pk") if filters.sort == "risk" else (sort, "pk")
    # The flags the queue itself can tell (the claim page adds those that need more reading).
    codes = sorted(_risk_conditions(), key=lambda c: -RISK_WEIGHTS.get(c, 0))
    columns = ("reference", "campaign__slug", "status", "purchase_country", "currency",
               "amount", "submitted_at", "info_due_at", "payment_due_at",
               "assignment__agent__username", "risk_score")
    rows = qs.order_by(*order).values_list(*columns, *(f"risk_{c}" for c in codes))
    for row in rows.iterator(chunk_size=chunk):
        flagged = [code for code, on in zip(codes, row[len(columns):], strict=True) if on]
        yield (*row[:len(columns)], " ".join(flagged))


def with_risk(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate each row with its risk score and one ``risk_<flag>`` boolean per flag."""
    flags = {f"risk_{code}": Case(When(condition, then=Value(True)), default=Value(False))
             for code, condition in _risk_conditions().items()}
    return qs.annotate(risk_score=risk_score(), **flags)


def row_risk_flags(claim: Claim) -> list[str]:
    """The flags of a queue row annotated by :func:`with_risk`, weightiest first."""
    return [code for code in sorted(RISK_WEIGHTS, key=lambda c: -RISK_WEIGHTS[c])
            if getattr(claim, f"risk_{code}", False)]


def _risk_page(base: QuerySet[Claim], filters: QueueFilters, sort: str, after: str | None,
               limit: int) -> QueuePage:
    """The queue riskiest first (then by the state's date): score, date and id make the key."""
    qs = (with_risk(base.filter(status__in=filters.statuses))
          .select_related("campaign", "assignment__agent", "receipt_check")
          .only(*_QUEUE_COLUMNS))
    if after:
        try:
            score_text, rest = after.split(".", 1)
            score = int(score_text)
        except ValueError:
            raise DomainError(_("This page link is not valid."), code="invalid_cursor",
                              fields={"after": "invalid"}) from None
        value, pk = cursor_decode(rest)
        # The score is an annotation: spelled as keys so the type checker does not look for
        # a column.
        qs = qs.filter(Q(**{"risk_score__lt": score})
                       | Q(**{"risk_score": score, f"{sort}__gt": value})
                       | Q(**{"risk_score": score, sort: value, "pk__gt": pk}))
    rows = list(qs.order_by(F("risk_score").desc(), sort, "pk")[: limit + 1])
    rows, more = rows[:limit], len(rows) > limit
    last = rows[-1] if rows else None
    pending = set(ApprovalRequest.objects.filter(
        claim_id__in=[c.pk for c in rows], status=ApprovalRequest.Status.PENDING,
    ).values_list("claim_id", flat=True))
    cursor = (f"{last.risk_score}.{cursor_encode(getattr(last, sort), last.pk)}"  # type: ignore[attr-defined]
              if more and last else None)
    return QueuePage(rows=rows, sort_field=sort, pending_approval=pending, next_cursor=cursor)


_COUNTS_GENERATION = "review:counts:generation"


def queue_counts_forget() -> None:
    """Drop every cached count (all brands, all campaigns), so the next look counts again."""
    # One generation number in every key: bumping it retires all of them at once.
    try:
        cache.incr(_COUNTS_GENERATION)
    except ValueError:
        cache.set(_COUNTS_GENERATION, 1, None)


def queue_counts(*, actor: Any, campaign: str = "") -> dict[str, int]:
    """Claims per state the actor may see, for one campaign or all; cached a minute (a GROUP
    BY over the whole table is too dear for every page view of a million claims)."""
    ids = brand_ids_visible_to(actor)
    scope = "*" if ids is None else ",".join(map(str, sorted(ids)))
    key = f"review:counts:{scope}:{campaign or '*'}"
    # One cache read for both: the counts keep the generation they were counted in, and a
    # bumped generation makes them stale (on the database cache each read is a query).
    found_in_cache = cache.get_many([_COUNTS_GENERATION, key])
    generation = found_in_cache.get(_COUNTS_GENERATION) or 0
    kept = found_in_cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == generation:
        counts = kept[1]
    else:
        qs = scope_by_brand(Claim.objects.all(), actor)
        if campaign:
            qs = qs.filter(campaign__slug=campaign)
        found = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        counts = {s: int(found.get(s, 0)) for s in ClaimStatus.values}
        cache.set(key, (generation, counts), COUNTS_SECONDS)
    return dict(counts)


def claim_by_reference(*, reference: str, actor: Any) -> Claim:
    """The claim with ``reference`` if ``actor`` serves its brand; else NotFound."""
    claim = (scope_by_brand(Claim.objects.all(), actor)
             .select_related("campaign", "retailer", "subject", "code", "bank")
             .filter(reference=reference.strip().upper()).first())
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


@dataclass(frozen=True)
class RiskFlag:
    """One risk signal of a claim: what it is, the evidence in words, the other claims."""

    code: str
    label: str
    evidence: str
    others: tuple[str, ...] = ()  # references of the other claims involved
    weight: int = 1


RISK_OTHERS_MAX = 20
# What a claim reference looks like: anything else read from a row is shown, never linked.
_REFERENCE = re.compile(r"^RB-[0-9A-Z]{4}-[0-9A-Z]{4}$")
_FIELD_NAMES = {"retailer": _("Retailer"), "date": _("Purchase date"), "total": _("Total"),
                "currency": _("Currency")}


def _flag(code: str, evidence: str, others: Any = ()) -> RiskFlag:
    return RiskFlag(code=code, label=str(RISK_LABELS[code]), evidence=evidence,
                    others=tuple(others), weight=RISK_WEIGHTS.get(code, 1))


def _check_of(claim: Claim) -> ReceiptCheck | None:
    try:
        return claim.receipt_check
    except ReceiptCheck.DoesNotExist:
        return None


def _bank_flags(claim: Claim) -> list[RiskFlag]:
    flags = []
    if claim.bank_holder_match is not None and claim.bank_holder_match < BANK_HOLDER_MATCH_MIN:
        flags.append(_flag("bank_holder_mismatch", str(_(
            "The account holder's name matches the applicant's %(pct)s %%.")) % {
            "pct": round(claim.bank_holder_match * 100)}))
    bank = BankDetails.objects.filter(claim=claim).only("fingerprint").first()
    refs, people = (_shared_with_others(claim, bank__fingerprint=bank.fingerprint)
                    if bank is not None else ([], 0))
    if refs:
        evidence = ngettext(
            "The same bank account is on %(claims)s claim of another person.",
            "The same bank account is on %(claims)s claims of another person.",
            len(refs)) if people == 1 else str(_(
                "The same bank account is on %(claims)s claims of %(people)s other people."))
        flags.append(_flag("bank_shared", evidence % {"claims": len(refs), "people": people},
                           refs))
    return flags


def _shared_with_others(claim: Claim, **lookup: Any) -> tuple[list[str], int]:
    """Return the references of other people's claims that match ``lookup``, oldest first (at
    most RISK_OTHERS_MAX), and how many people they belong to."""
    others = list(Claim.objects.filter(**lookup).exclude(subject_id=claim.subject_id)
                  .order_by("submitted_at", "pk")
                  .values_list("reference", "subject_id")[:RISK_OTHERS_MAX])
    return [r for r, _s in others], len({s for _r, s in others})


def _device_flag(claim: Claim) -> list[RiskFlag]:
    if not claim.device_fingerprint:
        return []
    refs, people = _shared_with_others(claim, device_fingerprint=claim.device_fingerprint)
    if not refs:
        return []
    evidence = ngettext(
        "The same browser sent %(claims)s claim of another person.",
        "The same browser sent %(claims)s claims of another person.",
        len(refs)) if people == 1 else str(_(
            "The same browser sent %(claims)s claims of %(people)s other people."))
    return [_flag("device_shared", evidence % {"claims": len(refs), "people": people}, refs)]


def _email_flag(claim: Claim) -> list[RiskFlag]:
    if not claim.email_pattern:
        return []
    same = Claim.objects.filter(email_pattern=claim.email_pattern)
    addresses = same.values("email").distinct().count()
    if addresses < EMAIL_PATTERN_MIN:
        return []
    others = list(same.exclude(pk=claim.pk).order_by("submitted_at", "pk")
                  .values_list("reference", flat=True)[:RISK_OTHERS_MAX])
    return [_flag("email_pattern", str(_(
        "%(claims)s claims come from %(addresses)s addresses of the pattern %(pattern)s.")) % {
        "claims": same.count(), "addresses": addresses, "pattern": claim.email_pattern},
        others)]


def _receipt_flags(check: ReceiptCheck | None) -> list[RiskFlag]:
    if check is None:
        return []
    flags = []
    fields = check.fields if isinstance(check.fields, dict) else {}
    differs = []
    for name in ("retailer", "date", "total", "currency"):
        result = fields.get(name)
        if isinstance(result, dict) and result.get("status") == "mismatch":
            differs.append(str(_("%(field)s: claimed %(entered)s, receipt %(read)s")) % {
                "field": _FIELD_NAMES[name], "entered": result.get("entered") or "—",
                "read": result.get("read") or "—"})
    if differs:
        flags.append(_flag("receipt_contradicts", "; ".join(differs)))
    rows = check.duplicates if isinstance(check.duplicates, list) else []
    for code in risk_flags_of(check):
        kinds = [k for k, c in DUPLICATE_FLAGS.items() if c == code]
        others = sorted({str(d.get("claim")) for d in rows if isinstance(d, dict)
                         and d.get("kind") in kinds
                         and _REFERENCE.match(str(d.get("claim") or ""))})
        flags.append(_flag(code, str(_("Found on %(claims)s other claims.")) % {
            "claims": len(others)}, others))
    return flags


def _cap_flag(claim: Claim) -> list[RiskFlag]:
    cap = (Cap.objects.filter(campaign_id=claim.campaign_id, channel=claim.channel,
                              currency=claim.currency).values_list("amount", flat=True).first())
    if cap is None or not cap or not (claim.capped or claim.amount >= cap * NEAR_CAP):
        return []
    return [_flag("amount_near_cap", str(_("%(amount)s of a cap of %(cap)s (%(pct)s %%).")) % {
        "amount": money(claim.amount, claim.currency), "cap": money(cap, claim.currency),
        "pct": round(claim.amount / cap * 100)})]


def claim_risk(*, claim: Claim) -> list[RiskFlag]:
    """Every risk flag of a claim with its evidence and the other claims, weightiest first."""
    flags = (_bank_flags(claim) + _device_flag(claim) + _email_flag(claim)
             + _receipt_flags(_check_of(claim)) + _cap_flag(claim))
    return sorted(flags, key=lambda f: -f.weight)


# Shown to the agent, but not by itself a reason for a second approver or against automatic
# approval: the four-eyes rule already weighs the amount.
INFO_FLAGS = frozenset({"amount_near_cap"})


def claim_risk_flags(*, claim: Claim) -> list[str]:
    """The codes of the claim's risk flags that need a person (see :func:`claim_risk`)."""
    return [f.code for f in claim_risk(claim=claim) if f.code not in INFO_FLAGS]


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
