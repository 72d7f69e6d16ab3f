"""Reads of the reports: dashboard figures from the day rollups and a few small tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from rabatt.accounts.roles import require
from rabatt.accounts.selectors import brands_visible_to, campaigns_visible_to
from rabatt.campaigns.models import Campaign
from rabatt.claims.models import Claim, ClaimDraft, ClaimStatus
from rabatt.codes.models import Recipient, RecipientStatus, Redemption
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.money import round_money
from rabatt.referrals.models import Friend, Referral
from rabatt.reports.models import ClaimDay, ReasonDay, WeeklySummaryOptIn

S = ClaimStatus
AWAITING_DECISION = (S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)
APPROVED_UNPAID = (S.APPROVED, S.PAYMENT_FAILED)
# A claim in one of these was approved at some point (voiding follows approval only).
EVER_APPROVED = (S.APPROVED, S.PAYMENT_FAILED, S.PAID, S.VOIDED)


@dataclass(frozen=True)
class ReportFilter:
    """Which claims a report counts: campaigns already scoped to the viewer, then narrowed."""

    campaign_ids: tuple[int, ...]
    country: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def days(self, qs: QuerySet[Any], day: str = "day") -> QuerySet[Any]:
        qs = qs.filter(campaign_id__in=self.campaign_ids)
        if self.country:
            qs = qs.filter(country=self.country)
        if self.since:
            qs = qs.filter(**{f"{day}__gte": self.since})
        if self.until:
            qs = qs.filter(**{f"{day}__lte": self.until})
        return qs

    def instants(self, qs: QuerySet[Any], at: str, campaign: str = "campaign_id") -> QuerySet[Any]:
        qs = qs.filter(**{f"{campaign}__in": self.campaign_ids})
        if self.since:
            qs = qs.filter(**{f"{at}__gte": datetime.combine(self.since, time(), tzinfo=UTC)})
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), tzinfo=UTC)
            qs = qs.filter(**{f"{at}__lt": end})
        return qs


def claims_by_status(*, f: ReportFilter) -> dict[str, int]:
    """Claims per current status, every status named (zero included)."""
    counts = dict.fromkeys(S.values, 0)
    for row in f.days(ClaimDay.objects.all()).values("status").annotate(n=Sum("claims")):
        counts[row["status"]] = int(row["n"] or 0)
    return counts


def claims_per_day(*, f: ReportFilter) -> list[dict[str, Any]]:
    """Claims submitted per day (UTC) by their current status, oldest day first."""
    rows = (f.days(ClaimDay.objects.all()).values("day", "status").annotate(count=Sum("claims"))
            .filter(count__gt=0).order_by("day", "status"))
    return [{"date": r["day"], "status": r["status"], "count": int(r["count"])} for r in rows]


def liability(*, f: ReportFilter) -> list[dict[str, Any]]:
    """Per currency: awaiting a decision (quoted), approved but unpaid, and paid."""
    rows = (f.days(ClaimDay.objects.all()).values("currency").annotate(
        quoted=Sum("amount", filter=Q(status__in=AWAITING_DECISION)),
        approved_unpaid=Sum("amount", filter=Q(status__in=APPROVED_UNPAID)),
        paid=Sum("amount", filter=Q(status=S.PAID)),
        claims=Sum("claims")).filter(claims__gt=0).order_by("currency"))
    out = []
    for r in rows:
        cur = r["currency"]
        out.append({"currency": cur, **{k: round_money(Decimal(r[k] or 0), cur)
                                        for k in ("quoted", "approved_unpaid", "paid")}})
    return out


def funnel(*, f: ReportFilter) -> list[tuple[str, int]]:
    """Code sent, claim started, submitted, approved, paid (each a count)."""
    sent = f.instants(Recipient.objects.filter(status=RecipientStatus.SENT), "sent_at").count()
    started = f.instants(ClaimDraft.objects.all(), "created_at").count()
    days = f.days(ClaimDay.objects.all()).aggregate(
        submitted=Sum("claims"), approved=Sum("claims", filter=Q(status__in=EVER_APPROVED)),
        paid=Sum("claims", filter=Q(status=S.PAID)))
    # A claim sent through the API has no draft: it started when it was submitted.
    submitted = int(days["submitted"] or 0)
    return [("code_sent", sent), ("claim_started", max(started, submitted)),
            ("submitted", submitted), ("approved", int(days["approved"] or 0)),
            ("paid", int(days["paid"] or 0))]


def timing(*, f: ReportFilter) -> dict[str, Any]:
    """Days to a decision and to payment, and the share within the 7- and 30-day promises."""
    t = f.days(ClaimDay.objects.all()).aggregate(
        decided=Sum("decided"), decided_7d=Sum("decided_7d"),
        decision_seconds=Sum("decision_seconds"), paid=Sum("paid"), paid_30d=Sum("paid_30d"),
        paid_seconds=Sum("paid_seconds"))
    decided, paid = int(t["decided"] or 0), int(t["paid"] or 0)
    day = Decimal(86400)
    return {
        "decided": decided, "decided_within_promise": int(t["decided_7d"] or 0),
        "decision_days": (Decimal(int(t["decision_seconds"] or 0)) / decided / day
                          ).quantize(Decimal("0.1")) if decided else None,
        "paid": paid, "paid_within_promise": int(t["paid_30d"] or 0),
        "payment_days": (Decimal(int(t["paid_seconds"] or 0)) / paid / day
                         ).quantize(Decimal("0.1")) if paid else None,
    }


def reasons(*, f: ReportFilter) -> list[dict[str, Any]]:
    """Reasons for refusals and information requests, most frequent first."""
    rows = (f.days(ReasonDay.objects.all()).values("kind", "reason").annotate(count=Sum("count"))
            .order_by("-count", "kind", "reason"))
    return [{"kind": r["kind"], "reason": r["reason"], "count": int(r["count"])} for r in rows]


def checks(*, f: ReportFilter) -> dict[str, int]:
    """Receipts checked and fully verified, decisions taken and taken automatically."""
    t = f.days(ClaimDay.objects.all()).aggregate(
        claims=Sum("claims"), checked=Sum("checked"), verified=Sum("verified"),
        decided=Sum("decided"), automatic=Sum("automatic"))
    return {k: int(v or 0) for k, v in t.items()}


def signals_per_day(*, f: ReportFilter) -> list[dict[str, Any]]:
    """Claims per submission day with a duplicate receipt or a bank holder mismatch."""
    rows = (f.days(ClaimDay.objects.all()).values("day").annotate(
        claims=Sum("claims"), duplicates=Sum("duplicates"), low_match=Sum("low_match"))
        .filter(claims__gt=0).order_by("day"))
    return [{"date": r["day"], "claims": int(r["claims"]), "duplicates": int(r["duplicates"]),
             "low_match": int(r["low_match"])} for r in rows]


def referral_funnel(*, f: ReportFilter) -> list[tuple[str, int]]:
    """Referral links made, friends invited, friends' codes used."""
    referrals = f.instants(Referral.objects.all(), "created_at").count()
    friends = f.instants(Friend.objects.all(), "created_at")
    return [("links", referrals), ("friends", friends.count()),
            ("friend_codes_used", friends.filter(code__status="used").count())]


def redemptions(*, f: ReportFilter) -> list[dict[str, Any]]:
    """Shop codes redeemed per currency and status, with the discount given."""
    qs = f.instants(Redemption.objects.all(), "created_at")
    if f.country:
        qs = qs.filter(country=f.country)
    rows = (qs.values("currency", "status").annotate(count=Count("id"), discount=Sum("discount"))
            .order_by("currency", "status"))
    return [{"currency": r["currency"], "status": r["status"], "count": r["count"],
             "discount": round_money(Decimal(r["discount"] or 0), r["currency"])} for r in rows]


def summary(*, f: ReportFilter) -> dict[str, Any]:
    """The figures of the summary API."""
    return {"claims_by_status": claims_by_status(f=f), "claims_per_day": claims_per_day(f=f),
            "liability": liability(f=f)}


def dashboard(*, f: ReportFilter) -> dict[str, Any]:
    """Every figure of the dashboard page."""
    return {**summary(f=f), "funnel": funnel(f=f), "timing": timing(f=f),
            "reasons": reasons(f=f), "checks": checks(f=f), "signals": signals_per_day(f=f),
            "referrals": referral_funnel(f=f), "redemptions": redemptions(f=f)}


def visible_campaigns(*, actor: Any) -> QuerySet[Campaign]:
    """The campaigns whose figures ``actor`` may see."""
    require(actor, "campaigns.dashboard")
    return campaigns_visible_to(actor)


def report_filter(*, actor: Any, campaign: str = "", brand: str = "", country: str = "",
                  since: date | None = None, until: date | None = None) -> ReportFilter:
    """Check the viewer's rights and turn the page's or the API's filters into a ReportFilter.

    A campaign or brand the viewer does not serve is answered as unknown, never as forbidden,
    so that staff of one brand cannot learn another brand's slugs.
    """
    campaigns = visible_campaigns(actor=actor)
    if brand:
        campaigns = campaigns.filter(brand__slug=brand)
        if not brands_visible_to(actor).filter(slug=brand).exists():
            raise NotFound(_("No such brand."), code="brand_not_found")
    if campaign:
        campaigns = campaigns.filter(slug=campaign)
        if not campaigns.exists():
            raise NotFound(_("No such campaign."), code="campaign_not_found")
    country = (country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise DomainError(_("A country is two letters, e.g. NO."), code="invalid_country",
                          fields={"country": "invalid"})
    if since and until and since > until:
        raise DomainError(_("The period ends before it starts."), code="invalid_period",
                          fields={"until": "before_since"})
    return ReportFilter(campaign_ids=tuple(campaigns.values_list("pk", flat=True)),
                        country=country, since=since, until=until)


CLAIM_EXPORT_HEADER = ("reference", "campaign", "status", "purchase_country", "currency",
                       "amount", "submitted_at_utc", "decided_at_utc", "decided_automatically",
                       "payment_due_at_utc")


def claims_export_rows(*, f: ReportFilter, status: str = "",
                       chunk: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The claims the report counts, one tuple per claim, read in chunks (no personal data)."""
    qs = f.instants(Claim.objects.all(), "submitted_at")
    if f.country:
        qs = qs.filter(purchase_country=f.country)
    if status:
        qs = qs.filter(status=status)
    yield from (qs.order_by("pk").values_list(
        "reference", "campaign__slug", "status", "purchase_country", "currency", "amount",
        "submitted_at", "decided_at", "decided_automatically", "payment_due_at")
        .iterator(chunk_size=chunk))


def panel_export(*, f: ReportFilter, what: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The figures behind one dashboard panel as a header and rows."""
    if what == "per_day":
        return ("date", "status", "count"), [
            (r["date"], r["status"], r["count"]) for r in claims_per_day(f=f)]
    if what == "liability":
        return ("currency", "quoted", "approved_unpaid", "paid"), [
            (r["currency"], r["quoted"], r["approved_unpaid"], r["paid"]) for r in liability(f=f)]
    if what == "reasons":
        return ("kind", "reason", "count"), [
            (r["kind"], r["reason"], r["count"]) for r in reasons(f=f)]
    if what == "signals":
        return ("date", "claims", "duplicates", "bank_holder_mismatch"), [
            (r["date"], r["claims"], r["duplicates"], r["low_match"])
            for r in signals_per_day(f=f)]
    if what == "funnel":
        return ("step", "count"), [*funnel(f=f), *referral_funnel(f=f)]
    raise NotFound(_("No such list."), code="export_not_found")


def weekly_summary_on(*, user: Any) -> bool:
    """True if ``user`` asked for the weekly summary e-mail."""
    return WeeklySummaryOptIn.objects.filter(user_id=user.pk).exists()
