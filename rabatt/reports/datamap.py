"""Data map of the reports: day rollups of claims, counts and sums only."""

from rabatt.privacy.classification import ModelMap, not_personal, staff

_N = not_personal()
_COUNT = not_personal(why="a count or sum over many claims")

DATAMAP = [
    ModelMap("reports.ClaimDay", fields={
        "id": _N, "campaign": _N, "day": _N, "country": _N, "currency": _N, "status": _N,
        **{name: _COUNT for name in (
            "claims", "amount", "decided", "decided_7d", "decision_seconds", "automatic", "paid",
            "paid_30d", "paid_seconds", "checked", "verified", "duplicates", "low_match")}}),
    ModelMap("reports.ClaimFact", fields={
        "claim": not_personal(why="a link to the claim"), "day_row": _N,
        "values": not_personal(why="the claim's counts in its day row (no personal data)"),
        "paid_at": _N}),
    ModelMap("reports.ReasonDay", fields={
        "id": _N, "campaign": _N, "day": _N, "country": _N, "kind": _N,
        "reason": not_personal(why="a reason code"), "count": _COUNT}),
    ModelMap("reports.WeeklySummaryOptIn", fields={
        "user": staff(("staff",)), "opted_in_at": _N}),
]
