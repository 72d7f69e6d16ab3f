"""Shape a claim's checks for the desk's pages and the staff API (no writes, no permissions).

The receipt check (``receipts.ReceiptCheck``) and the automatic decision
(``review.AutomaticDecision``) are typed rows whose JSON parts follow ``receipts/schemas.py``;
this module turns them into what the templates draw.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from rabatt.claims.models import Claim, ClaimStatus, InfoReason
from rabatt.receipts.checking import FIELDS, risk_flags_of
from rabatt.receipts.models import ReceiptCheck
from rabatt.receipts.schemas import DUPLICATES_ADAPTER, FIELDS_ADAPTER, Duplicate, FieldResult
from rabatt.review.models import AutomaticDecision

log = logging.getLogger(__name__)


def info_reason_texts(*, claim: Claim) -> dict[str, dict[str, str]]:
    """The request-for-information reasons in every language, to prefill the message."""
    texts: dict[str, dict[str, str]] = {}
    for lang, _name in settings.LANGUAGES:
        with translation.override(lang):
            texts[lang] = {
                "intro": str(_("Hello %(name)s, to finish checking your claim %(reference)s "
                               "we need the following:") % {"name": claim.first_name,
                                                            "reference": claim.reference}),
                **{value: str(label) for value, label in InfoReason.choices},
            }
    return texts


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
    "not_found": _("Not found"),
}
# A sign beside the words, so the status never depends on colour alone.
CHECK_MARKS = {"verified": "✓", "mismatch": "✗", "unreadable": "?", "not_found": "–"}
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


def _percent(value: float | None) -> int | None:
    return None if value is None else round(min(1.0, max(0.0, value)) * 100)


def _pct(part: float, whole: float) -> str:
    return f"{min(100.0, max(0.0, part / whole * 100)):.2f}"


def _evidence_box(name: str, label: str, result: FieldResult) -> tuple[int, EvidenceBox] | None:
    """The evidence's page (0-based) and its box in percent, or None if it cannot be drawn."""
    evidence = result.evidence
    if evidence is None:
        return None
    x0, y0, x1, y1 = evidence.box[1:]
    if not (x1 > x0 and y1 > y0):
        return None
    return evidence.page, EvidenceBox(
        name=name, label=label, status=result.status,
        status_label=str(CHECK_LABELS[result.status]), mark=CHECK_MARKS[result.status],
        left=_pct(x0, evidence.page_width), top=_pct(y0, evidence.page_height),
        width=_pct(x1 - x0, evidence.page_width), height=_pct(y1 - y0, evidence.page_height))


def _parsed_fields(check: ReceiptCheck) -> dict[str, FieldResult]:
    try:
        return FIELDS_ADAPTER.validate_python(check.fields or {})
    except ValidationError:
        # The check writes only what the schema allows; a hand-edited row is left out.
        log.warning("receipt check %s holds fields outside the schema", check.pk)
        return {}


def _parsed_duplicates(check: ReceiptCheck) -> list[Duplicate]:
    try:
        return DUPLICATES_ADAPTER.validate_python(check.duplicates or [])
    except ValidationError:
        log.warning("receipt check %s holds duplicates outside the schema", check.pk)
        return []


def _evidenced(name: str, result: FieldResult) -> bool:
    """Whether a field's result rests on words read from the receipt.

    Without a place on the receipt there is nothing that matches. A currency counts only when
    its code is printed, or its sign stands with an amount: a lone "kr" in a garbled line
    ("RE KR K THANK YOU") is what the claim's own currency suggested, not evidence of it.
    """
    if not result.read or result.evidence is None:
        return False
    if name == "currency":
        text = result.evidence.text
        return result.read.upper() in text.upper() or any(ch.isdigit() for ch in text)
    return True


def _field_checks(results: dict[str, FieldResult], file_ids: set[str]) -> list[FieldCheck]:
    names = [n for n in FIELDS if n in results] + sorted(n for n in results if n not in FIELDS)
    checks = []
    for name in names:
        result = results[name]
        if result.status == "verified" and not _evidenced(name, result):
            # A match needs something on the receipt that matches: without it the check found
            # nothing, whatever its confidence says.
            result = result.model_copy(update={"status": "not_found", "confidence": 0.0})
        label = str(FIELD_LABELS.get(name, name))
        file = (result.file or "").lower() or None
        # A box is drawn only on a file of this claim: the page must exist to carry it.
        drawn = _evidence_box(name, label, result) if file in file_ids else None
        checks.append(FieldCheck(
            name=name, label=label, entered=result.entered or "", read=result.read,
            status=result.status, status_label=str(CHECK_LABELS[result.status]),
            mark=CHECK_MARKS[result.status], confidence=_percent(result.confidence),
            evidence_text=result.evidence.text if result.evidence else "",
            file=file, page=drawn[0] + 1 if drawn else None, box=drawn[1] if drawn else None))
    return checks


def _duplicate_links(duplicates: list[Duplicate]) -> list[DuplicateLink]:
    links = []
    for d in duplicates:
        if not d.claim:
            continue
        links.append(DuplicateLink(
            kind=d.kind, kind_label=str(DUPLICATE_KINDS[d.kind]), reference=d.claim,
            url=reverse("review:claim", args=[d.claim]) if _REFERENCE.match(d.claim) else "",
            status_label=str(ClaimStatus(d.status).label) if d.status in ClaimStatus.values
            else (d.status or ""),
            distance=d.distance))
    return links


def _automatic(decision: AutomaticDecision | None) -> AutomaticOutcome | None:
    if decision is None or decision.outcome not in AUTOMATIC_OUTCOMES:
        return None
    outcome = decision.outcome
    codes = decision.reasons if isinstance(decision.reasons, list) else []
    reasons = ([str(AUTOMATIC_REASONS.get(str(c), str(c))) for c in codes]
               if outcome == "not_eligible" else [])
    return AutomaticOutcome(outcome=outcome, headline=str(AUTOMATIC_OUTCOMES[outcome]),
                            detail=str(AUTOMATIC_DETAILS[outcome]), reasons=reasons)


def receipt_check_of(claim: Claim) -> ReceiptCheck | None:
    """The claim's receipt check, if reading has started."""
    return ReceiptCheck.objects.filter(claim=claim).first()


def automatic_decision_of(claim: Claim) -> AutomaticDecision | None:
    """The claim's automatic decision, if the automation has looked at it."""
    return AutomaticDecision.objects.filter(claim=claim).first()


def claim_checks(*, claim: Claim, files: list[Any]) -> ClaimChecks:
    """The claim's receipt checks for display, boxes keyed by (file id, page)."""
    check = receipt_check_of(claim)
    results = _parsed_fields(check) if check is not None else {}
    fields = _field_checks(results, {str(f.pk) for f in files})
    boxes: dict[tuple[str, int], list[EvidenceBox]] = {}
    for row in fields:
        if row.box is not None and row.file is not None and row.page is not None:
            boxes.setdefault((row.file, row.page), []).append(row.box)
    progress = (ReceiptProgress(status=check.status, files=check.files,
                                read=min(check.read, check.files) if check.files else check.read,
                                checked_at=check.checked_at)
                if check is not None else None)
    return ClaimChecks(
        progress=progress, fields=fields,
        duplicates=_duplicate_links(_parsed_duplicates(check)) if check is not None else [],
        automatic=_automatic(automatic_decision_of(claim)),
        bank_holder_match=_percent(claim.bank_holder_match), boxes=boxes)


def claim_signals(*, claim: Claim) -> dict[str, Any]:
    """The claim's checks in the staff API's ``signals`` shape (unchanged since it was JSON)."""
    signals: dict[str, Any] = {}
    if claim.bank_holder_match is not None:
        signals["bank_holder_match"] = claim.bank_holder_match
    check = receipt_check_of(claim)
    if check is not None:
        signals["receipts"] = {
            "status": check.status, "files": check.files, "read": check.read,
            "checked_at": check.checked_at.isoformat() if check.checked_at else None}
        if check.checked_at is not None:
            signals.update(fields=check.fields, duplicates=check.duplicates,
                           risk_flags=risk_flags_of(check))
    decision = automatic_decision_of(claim)
    if decision is not None:
        signals["automatic"] = {"outcome": decision.outcome, "reasons": decision.reasons,
                                "at": decision.at.isoformat()}
    return signals


# --- the claim's history, in words ----------------------------------------------------------

EVENT_LABELS = {
    "submitted": _("Submitted"),
    "start_review": _("Review started"),
    "request_info": _("Information requested"),
    "answer_info": _("Consumer answered"),
    "lapse": _("Lapsed (no answer in time)"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "withdraw": _("Withdrawn by the consumer"),
    "void": _("Voided (product returned)"),
    "reopen": _("Reopened"),
    "mark_paid": _("Paid"),
    "mark_payment_failed": _("Payment failed"),
    "retry_payment": _("Back in the payment queue"),
    "reopen_for_bank_change": _("Back in review: bank details changed after approval"),
    "rectify_bank": _("Back in review: new bank details to check"),
    "bank_details_changed": _("Bank details changed"),
    "rectify_contact": _("Contact details corrected"),
    "receipts_checked": _("Receipts checked"),
    "approval_requested": _("Second approval requested"),
    "auto_approval_sampled": _("Sampled for a person's check"),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    label: str
    # "in review → approved", empty when the status did not change (or for the first entry).
    change: str
    who: str
    details: list[str]
    message: str


def _status_label(value: str) -> str:
    return str(ClaimStatus(value).label) if value in ClaimStatus.values else value


def _event_details(event: Any) -> list[str]:
    data = event.data or {}
    details: list[str] = []
    if event.kind == "mark_payment_failed":
        code = str(data.get("reason_code") or (event.reasons[0] if event.reasons else ""))
        text = data.get("reason_text") or ""
        details.append(str(_("Bank's reason: %(reason)s")) % {
            "reason": " · ".join(p for p in (code, text) if p) or "—"})
    elif event.reasons:
        details.append(", ".join(str(InfoReason(r).label) if r in InfoReason.values else r
                                 for r in event.reasons))
    if data.get("masked"):
        details.append(str(_("New account: %(account)s")) % {"account": data["masked"]})
    if data.get("holder_name_differs"):
        details.append(str(_("The account holder's name differs from the claimant's.")))
    if data.get("corrected"):
        details.append(str(_("Corrected: %(fields)s")) % {"fields": ", ".join(data["corrected"])})
    return details


def claim_history(*, events: list[Any]) -> list[HistoryEntry]:
    """Turn a claim's events into the desk's history lines: what, the status change, who."""
    entries = []
    for event in events:
        change = ""
        if event.to_status and event.from_status and event.from_status != event.to_status:
            change = f"{_status_label(event.from_status)} → {_status_label(event.to_status)}"
        who = (event.actor.username if event.actor is not None
               else str(event.get_actor_type_display()))
        entries.append(HistoryEntry(
            at=event.at, label=str(EVENT_LABELS.get(event.kind, event.kind)), change=change,
            who=who, details=_event_details(event), message=event.message))
    return entries
