"""Writes of the reports: the day rollups, moved with every event in a claim's history.

The dashboards read small rollup rows instead of scanning claims, so their cost follows the
number of days shown, not the number of claims. Each claim keeps a ``ClaimFact``: what it added
to its day row. On every event the fact is recomputed from the claim and only the difference is
applied, with ``F()`` updates, inside the transaction that changed the claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from rabatt.accounts.roles import has_perm, require
from rabatt.claims.models import Claim, ClaimEvent, ClaimStatus
from rabatt.core.timeutil import utcnow
from rabatt.receipts.models import CheckStatus, ReceiptCheck
from rabatt.reports import selectors
from rabatt.reports.emails import weekly_summary_email_queue
from rabatt.reports.models import ClaimDay, ClaimFact, ReasonDay, WeeklySummaryOptIn
from rabatt.review.selectors import BANK_HOLDER_MATCH_MIN

COUNTERS = ("claims", "decided", "decided_7d", "decision_seconds", "automatic", "paid",
            "paid_30d", "paid_seconds", "checked", "verified", "duplicates", "low_match")
DECISION_PROMISE = timedelta(days=7)
PAYMENT_PROMISE = timedelta(days=30)
REASON_KINDS = ("reject", "request_info")


def _day_key(claim: Claim) -> dict[str, Any]:
    return {"campaign_id": claim.campaign_id, "day": claim.submitted_at.astimezone(UTC).date(),
            "country": claim.purchase_country, "currency": claim.currency,
            "status": claim.status}


def _values(claim: Claim, check: ReceiptCheck | None, paid_at: datetime | None) -> dict[str, Any]:
    """What one claim adds to its day row (amount as a string, counters as ints)."""
    values: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    values["claims"] = 1
    values["amount"] = str(claim.amount)
    if claim.decided_at is not None:
        waited = claim.decided_at - claim.submitted_at
        values["decided"] = 1
        values["decided_7d"] = int(waited <= DECISION_PROMISE)
        values["decision_seconds"] = max(0, int(waited.total_seconds()))
        values["automatic"] = int(claim.decided_automatically)
    if claim.status == ClaimStatus.PAID and paid_at is not None and claim.decided_at is not None:
        waited = paid_at - claim.decided_at
        values["paid"] = 1
        values["paid_30d"] = int(waited <= PAYMENT_PROMISE)
        values["paid_seconds"] = max(0, int(waited.total_seconds()))
    if check is not None and check.status != CheckStatus.READING:
        values["checked"] = 1
        # A row written outside the schema (by hand, or an old format) counts as unverified.
        fields = check.fields if isinstance(check.fields, dict) else {}
        values["verified"] = int(check.status == CheckStatus.DONE and bool(fields) and all(
            isinstance(f, dict) and f.get("status") == "verified" for f in fields.values()))
        values["duplicates"] = int(check.duplicate_count > 0)
    if claim.bank_holder_match is not None and claim.bank_holder_match < BANK_HOLDER_MATCH_MIN:
        values["low_match"] = 1
    return values


def _add(row_id: int, values: dict[str, Any], sign: int) -> None:
    changes: dict[str, Any] = {name: F(name) + sign * int(values[name]) for name in COUNTERS}
    changes["amount"] = F("amount") + sign * Decimal(values["amount"])
    ClaimDay.objects.filter(pk=row_id).update(**changes)


def claim_rollup_refresh(*, claim: Claim, paid_at: datetime | None = None) -> None:
    """Recompute one claim's contribution to the day rollups and apply the difference."""
    with transaction.atomic():
        fact = ClaimFact.objects.select_for_update().select_related("day_row").filter(
            claim_id=claim.pk).first()
        if paid_at is None and fact is not None:
            paid_at = fact.paid_at
        check = ReceiptCheck.objects.filter(claim_id=claim.pk).first()
        values = _values(claim, check, paid_at)
        key = _day_key(claim)
        row, _ = ClaimDay.objects.get_or_create(**key)
        if fact is not None and fact.day_row_id == row.pk and fact.values == values:
            if fact.paid_at != paid_at:
                ClaimFact.objects.filter(pk=fact.pk).update(paid_at=paid_at)
            return
        # Lock the rows in one order (by id), so that two claims moving in opposite directions
        # between the same two rows (approve and reopen) wait for each other, never deadlock.
        ids = sorted({row.pk} | ({fact.day_row_id} if fact is not None else set()))
        list(ClaimDay.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if fact is not None:
            _add(fact.day_row_id, fact.values, -1)
        _add(row.pk, values, +1)
        ClaimFact.objects.update_or_create(claim_id=claim.pk, defaults={
            "day_row": row, "values": values, "paid_at": paid_at})


def _reasons_add(event: ClaimEvent, claim: Claim) -> None:
    for reason in event.reasons or ["unspecified"]:
        key: dict[str, Any] = {"campaign_id": claim.campaign_id,
               "day": event.at.astimezone(UTC).date(),
               "country": claim.purchase_country, "kind": event.kind,
               "reason": str(reason)[:200]}
        row, _ = ReasonDay.objects.get_or_create(**key)
        ReasonDay.objects.filter(pk=row.pk).update(count=F("count") + 1)


def claim_event_recorded(*, event: ClaimEvent, notify: bool = True, link_token: str = "") -> None:
    """Keep the rollups in step with a claim's history (subscriber of claim.event_recorded)."""
    claim = event.claim
    if event.kind in REASON_KINDS:
        _reasons_add(event, claim)
    paid_at = event.at if event.kind == "mark_paid" else None
    claim_rollup_refresh(claim=claim, paid_at=paid_at)


def rollups_rebuild(*, campaign_ids: Iterable[int] | None = None, chunk: int = 2000) -> int:
    """Rebuild the rollups from the claims and their histories; return the claims counted."""
    claims = Claim.objects.order_by("pk")
    if campaign_ids is not None:
        claims = claims.filter(campaign_id__in=list(campaign_ids))
    ids = list(claims.values_list("pk", flat=True))
    campaigns = set(claims.values_list("campaign_id", flat=True).distinct())
    with transaction.atomic():
        ClaimFact.objects.filter(claim_id__in=ids).delete()
        ClaimDay.objects.filter(campaign_id__in=campaigns).delete()
        ReasonDay.objects.filter(campaign_id__in=campaigns).delete()
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            paid: dict[int, datetime] = {}
            for claim_id, at in (ClaimEvent.objects.filter(claim_id__in=part, kind="mark_paid")
                                 .order_by("at").values_list("claim_id", "at")):
                paid[claim_id] = at
            for claim in Claim.objects.filter(pk__in=part):
                claim_rollup_refresh(claim=claim, paid_at=paid.get(claim.pk))
            for event in (ClaimEvent.objects.filter(claim_id__in=part, kind__in=REASON_KINDS)
                          .select_related("claim")):
                _reasons_add(event, event.claim)
    return len(ids)


def weekly_summary_opt(*, user: Any, on: bool) -> bool:
    """Start or stop the weekly summary e-mail for ``user``; return whether it is on."""
    require(user, "campaigns.dashboard")
    if on:
        WeeklySummaryOptIn.objects.get_or_create(user=user, defaults={"opted_in_at": utcnow()})
    else:
        WeeklySummaryOptIn.objects.filter(user=user).delete()
    return on


def weekly_summaries_queue(*, now: datetime | None = None) -> int:
    """Queue last week's summary (Monday to Sunday, UTC) to everyone who opted in.

    Each person's e-mail for a week has one deduplication key, so running this twice in a
    week (a retry, two schedulers) queues it once. Returns how many were queued now.
    """
    today = (now or utcnow()).astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday() + 7)
    queued = 0
    for opt in WeeklySummaryOptIn.objects.select_related("user").order_by("pk"):
        user = opt.user
        if not user.email or not has_perm(user, "campaigns.dashboard"):
            continue  # left the role or the company: nothing to send until they are back
        f = selectors.report_filter(actor=user, since=monday, until=monday + timedelta(days=6))
        with transaction.atomic():
            queued += weekly_summary_email_queue(user_id=user.pk, to=user.email, monday=monday,
                                                 figures=selectors.summary(f=f))
    return queued
