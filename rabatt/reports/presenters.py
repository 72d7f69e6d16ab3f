"""Shape the dashboard's figures for the page: a chart and a table for each panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from rabatt.claims.models import ClaimStatus, InfoReason
from rabatt.core.formats import local_date, money

# One colour per status, readable on white and distinct in grey scale order.
STATUS_COLOURS = {
    "submitted": "#6c8ebf", "in_review": "#3465a4", "info_requested": "#f0a30a",
    "approved": "#4e9a06", "paid": "#1b5e20", "payment_failed": "#cc0000",
    "rejected": "#a40000", "lapsed": "#888a85", "withdrawn": "#babdb6", "voided": "#5c3566"}
PALETTE = ["#3465a4", "#4e9a06", "#f0a30a", "#a40000", "#5c3566", "#888a85"]


@dataclass
class Panel:
    """One dashboard panel: a chart (drawn by the page's script) and the table it shows."""

    key: str
    title: str
    chart: dict[str, Any] | None
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"


def _pct(part: int, whole: int) -> str:
    return f"{round(Decimal(100) * part / whole)} %" if whole else "–"


def _status_label(code: str) -> str:
    return str(dict(ClaimStatus.choices).get(code, code))


def _reason_label(kind: str, code: str) -> str:
    labels = dict(InfoReason.choices) if kind == "request_info" else {}
    return str(labels.get(code, code.replace("_", " ")))


def per_day_panel(per_day: list[dict[str, Any]]) -> Panel:
    days = sorted({r["date"] for r in per_day})
    statuses = [s for s in ClaimStatus.values if any(r["status"] == s for r in per_day)]
    counts = {(r["date"], r["status"]): r["count"] for r in per_day}
    chart = {"type": "bar", "stacked": True, "labels": [d.isoformat() for d in days],
             "datasets": [{"label": _status_label(s), "colour": STATUS_COLOURS.get(s, "#555"),
                           "data": [counts.get((d, s), 0) for d in days]} for s in statuses]}
    rows = [[local_date(d, length="medium"), *(str(counts.get((d, s), 0)) for s in statuses)]
            for d in days]
    return Panel("per_day", _("Claims per day by status"), chart if days else None,
                 [_("Day (UTC)"), *(_status_label(s) for s in statuses)], rows)


def funnel_panel(steps: list[tuple[str, int]]) -> Panel:
    names = {"code_sent": _("Code sent"), "claim_started": _("Claim started"),
             "submitted": _("Submitted"), "approved": _("Approved"), "paid": _("Paid")}
    labels = [names[k] for k, _n in steps]
    first = steps[0][1] or max((n for _k, n in steps), default=0)
    chart = {"type": "bar", "horizontal": True, "labels": labels,
             "datasets": [{"label": _("Claims"), "colour": PALETTE[0],
                           "data": [n for _k, n in steps]}]}
    rows = [[names[k], str(n), _pct(n, first)] for k, n in steps]
    return Panel("funnel", _("Funnel"), chart, [_("Step"), _("Count"), _("Of the first step")],
                 rows)


def timing_panel(t: dict[str, Any]) -> Panel:
    decided_share = _pct(t["decided_within_promise"], t["decided"])
    paid_share = _pct(t["paid_within_promise"], t["paid"])
    chart = {"type": "bar", "percent": True,
             "labels": [_("Decided within 7 days"), _("Paid within 30 days of approval")],
             "datasets": [{"label": _("Share within the promise"), "colour": PALETTE[1],
                           "data": [round(100 * t["decided_within_promise"] / t["decided"])
                                    if t["decided"] else 0,
                                    round(100 * t["paid_within_promise"] / t["paid"])
                                    if t["paid"] else 0]}]}
    rows = [[_("Decision (approval or refusal)"), str(t["decided"]),
             str(t["decision_days"] if t["decision_days"] is not None else "–"), decided_share],
            [_("Payment after approval"), str(t["paid"]),
             str(t["payment_days"] if t["payment_days"] is not None else "–"), paid_share]]
    return Panel("timing", _("Time to decision and to payment"), chart,
                 [_("Step"), _("Claims"), _("Average days"), _("Within the promise")], rows,
                 note=_("The promises: a decision within 7 days, payment within 30 days of "
                        "approval."))


def reasons_panel(reasons: list[dict[str, Any]]) -> Panel:
    kinds = {"reject": _("Refusal"), "request_info": _("Information request")}
    labels = [f"{kinds.get(r['kind'], r['kind'])}: {_reason_label(r['kind'], r['reason'])}"
              for r in reasons]
    chart = {"type": "bar", "horizontal": True, "labels": labels,
             "datasets": [{"label": _("Times given"), "colour": PALETTE[3],
                           "data": [r["count"] for r in reasons]}]}
    rows = [[str(kinds.get(r["kind"], r["kind"])), _reason_label(r["kind"], r["reason"]),
             str(r["count"])] for r in reasons]
    return Panel("reasons", _("Reasons for refusal and information requests"),
                 chart if reasons else None, [_("Decision"), _("Reason"), _("Times given")], rows)


def checks_panel(c: dict[str, int]) -> Panel:
    chart = {"type": "bar", "percent": True,
             "labels": [_("Receipts fully verified"), _("Decided automatically")],
             "datasets": [{"label": _("Rate"), "colour": PALETTE[0], "data": [
                 round(100 * c["verified"] / c["checked"]) if c["checked"] else 0,
                 round(100 * c["automatic"] / c["decided"]) if c["decided"] else 0]}]}
    rows = [[_("Receipts fully verified"), str(c["verified"]), str(c["checked"]),
             _pct(c["verified"], c["checked"])],
            [_("Decided automatically"), str(c["automatic"]), str(c["decided"]),
             _pct(c["automatic"], c["decided"])]]
    return Panel("checks", _("Receipt verification and automatic approval"), chart,
                 [_("Measure"), _("Claims"), _("Out of"), _("Rate")], rows)


def signals_panel(signals: list[dict[str, Any]]) -> Panel:
    chart = {"type": "line", "labels": [r["date"].isoformat() for r in signals], "datasets": [
        {"label": _("Duplicate receipt"), "colour": PALETTE[3],
         "data": [r["duplicates"] for r in signals]},
        {"label": _("Bank holder does not match"), "colour": PALETTE[2],
         "data": [r["low_match"] for r in signals]}]}
    rows = [[local_date(r["date"], length="medium"), str(r["claims"]), str(r["duplicates"]),
             str(r["low_match"])] for r in signals]
    return Panel("signals", _("Duplicate and risk signals over time"),
                 chart if signals else None,
                 [_("Day (UTC)"), _("Claims"), _("Duplicate receipt"),
                  _("Bank holder does not match")], rows)


def referrals_panel(steps: list[tuple[str, int]], redeemed: list[dict[str, Any]]) -> Panel:
    names = {"links": _("Referral links"), "friends": _("Friends invited"),
             "friend_codes_used": _("Friends' codes used")}
    codes = sum(r["count"] for r in redeemed if r["status"] == "redeemed")
    labels = [*(names[k] for k, _n in steps), _("Shop codes redeemed")]
    data = [*(n for _k, n in steps), codes]
    chart = {"type": "bar", "labels": labels,
             "datasets": [{"label": _("Count"), "colour": PALETTE[4], "data": data}]}
    rows = [[label, str(n)] for label, n in zip(labels, data, strict=True)]
    extra = [(f"{r['currency']} · {r['status']}",
              f"{r['count']} · {money(r['discount'], r['currency'])}") for r in redeemed]
    return Panel("referrals", _("Referrals and codes redeemed"), chart, [_("Step"), _("Count")],
                 rows, extra=extra)


def liability_panel(rows_in: list[dict[str, Any]]) -> Panel:
    parts = [("quoted", _("Awaiting a decision")), ("approved_unpaid", _("Approved, unpaid")),
             ("paid", _("Paid"))]
    chart = {"type": "bar", "money": True, "labels": [r["currency"] for r in rows_in],
             "datasets": [{"label": str(label), "colour": PALETTE[i],
                           "data": [float(r[key]) for r in rows_in]}
                          for i, (key, label) in enumerate(parts)]}
    rows = [[r["currency"], *(money(r[key], r["currency"]) for key, _l in parts)]
            for r in rows_in]
    return Panel("liability", _("Liability per currency"), chart if rows_in else None,
                 [_("Currency"), *(str(label) for _k, label in parts)], rows,
                 note=_("Each currency is drawn on the same axis in its own units."))


def dashboard_panels(figures: dict[str, Any]) -> list[Panel]:
    """Every panel of the dashboard, in the order the page shows them."""
    return [per_day_panel(figures["claims_per_day"]), liability_panel(figures["liability"]),
            funnel_panel(figures["funnel"]), timing_panel(figures["timing"]),
            reasons_panel(figures["reasons"]), checks_panel(figures["checks"]),
            signals_panel(figures["signals"]),
            referrals_panel(figures["referrals"], figures["redemptions"])]
