"""Check a receipt against what the consumer claimed: retailer, purchase date, total, currency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from .document import Document, Line
from .extract import (
    Extraction,
    RetailerRef,
    extract,
    retailer_score,
    retailer_threshold,
)

Status = Literal["verified", "mismatch", "unreadable"]
VERIFIED: Status = "verified"
MISMATCH: Status = "mismatch"
UNREADABLE: Status = "unreadable"

# A document with less text than this is not worth judging; the consumer should upload again.
_MIN_TEXT = 15


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """The outcome for one field: status, what the receipt shows, and where."""

    status: Status
    expected: str
    found: str | None
    confidence: float
    evidence: Line | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the check for JSON."""
        return {
            "status": self.status,
            "found": self.found,
            "confidence": round(self.confidence, 3),
            "expected": self.expected,
            "evidence": self.evidence.as_dict() if self.evidence else None,
        }


@dataclass(frozen=True)
class Verification:
    """Per-field outcome of checking a receipt against a claim."""

    retailer: FieldCheck
    date: FieldCheck
    total: FieldCheck
    currency: FieldCheck | None = None

    @property
    def auto_approvable(self) -> bool:
        """Return whether every checked field is verified, so a person need not look."""
        checks = [self.retailer, self.date, self.total]
        if self.currency is not None:
            checks.append(self.currency)
        return all(c.status == VERIFIED for c in checks)

    def as_dict(self) -> dict[str, Any]:
        """Return the retailer, date and total checks (and currency if checked) for JSON."""
        out = {
            "retailer": self.retailer.as_dict(),
            "date": self.date.as_dict(),
            "total": self.total.as_dict(),
        }
        if self.currency is not None:
            out["currency"] = self.currency.as_dict()
        return out


def _as_refs(retailer: str | RetailerRef | Sequence[RetailerRef]) -> list[RetailerRef]:
    if isinstance(retailer, str):
        return [RetailerRef(retailer)]
    if isinstance(retailer, RetailerRef):
        return [retailer]
    return list(retailer)


def check_retailer(
    doc: Document,
    expected: str | RetailerRef | Sequence[RetailerRef],
    *,
    others: Sequence[RetailerRef] = (),
) -> FieldCheck:
    """Verify the shop: one of its names must stand in the header or on a web/company-id line."""
    refs = _as_refs(expected)
    label = refs[0].name if refs else ""
    if len(doc.text.strip()) < _MIN_TEXT:
        return FieldCheck(UNREADABLE, label, None, 0.0)
    if not refs:
        return FieldCheck(UNREADABLE, label, None, 0.0)
    # Judge each name against its own threshold and keep the one that clears it by most.
    scored = [(*retailer_score(doc, ref), ref) for ref in refs]
    score, line, ref = max(scored, key=lambda s: s[0] - retailer_threshold(s[2]))
    if score < retailer_threshold(ref):
        return FieldCheck(MISMATCH, label, line.text if line else None, 1 - score / 100, line)
    for other in others:
        other_score, other_line = retailer_score(doc, other)
        # Another listed shop that matches clearly better wins: the claim names the wrong shop.
        if other_score >= retailer_threshold(other) and other_score > score + 5:
            return FieldCheck(MISMATCH, label, other.name, other_score / 100, other_line)
    conf = score / 100 * (0.6 + 0.4 * (line.confidence if line else 0))
    return FieldCheck(VERIFIED, label, line.text if line else None, conf, line)


def check_date(extraction: Extraction, expected: date) -> FieldCheck:
    """Verify the purchase date: it must be one of the purchase dates printed on the receipt."""
    label = expected.isoformat()
    if not extraction.dates:
        return FieldCheck(UNREADABLE, label, None, 0.0)
    for candidate in extraction.dates:
        if candidate.value == expected:
            return FieldCheck(VERIFIED, label, label, candidate.confidence, candidate.line)
    found = extraction.date
    return FieldCheck(
        MISMATCH,
        label,
        found.value.isoformat() if found.value else None,
        found.confidence,
        found.line,
    )


def check_total(extraction: Extraction, expected: Decimal) -> FieldCheck:
    """Verify the total paid: only the amount picked from a total line counts, to the cent."""
    label = str(expected)
    found = extraction.total
    if found.value is None:
        return FieldCheck(UNREADABLE, label, None, 0.0)
    status: Status = VERIFIED if found.value == expected.quantize(Decimal("0.01")) else MISMATCH
    return FieldCheck(status, label, str(found.value), found.confidence, found.line)


def check_currency(extraction: Extraction, expected: str) -> FieldCheck:
    """Verify the currency printed (or inferred from ``kr`` and country cues)."""
    found = extraction.currency
    if found.value is None:
        return FieldCheck(UNREADABLE, expected.upper(), None, 0.0, found.line)
    status: Status = VERIFIED if found.value == expected.upper() else MISMATCH
    return FieldCheck(status, expected.upper(), found.value, found.confidence, found.line)


def verify(
    source: Document | Extraction,
    *,
    retailer: str | RetailerRef | Sequence[RetailerRef],
    date: date,
    total: Decimal,
    currency: str | None = None,
    other_retailers: Sequence[RetailerRef] = (),
) -> Verification:
    """Check a receipt against the claimed retailer, date, total and (optionally) currency."""
    extraction = (
        source if isinstance(source, Extraction) else extract(source, currency_hint=currency)
    )
    docs = (extraction.document, *extraction.alternates)
    unreadable = all(len(doc.text.strip()) < _MIN_TEXT for doc in docs)
    checks = [check_retailer(doc, retailer, others=other_retailers) for doc in docs]
    retailer_check = next((c for c in checks if c.status == VERIFIED), checks[0])
    date_check = check_date(extraction, date)
    total_check = check_total(extraction, total)
    if unreadable:
        date_check = FieldCheck(UNREADABLE, date.isoformat(), None, 0.0)
        total_check = FieldCheck(UNREADABLE, str(total), None, 0.0)
    currency_check = check_currency(extraction, currency) if currency else None
    return Verification(retailer_check, date_check, total_check, currency_check)
