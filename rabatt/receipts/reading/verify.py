"""Check a receipt against what the consumer claimed: retailer, purchase date, total, currency."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from .document import LINES_ENGINE, Document, Line
from .extract import (
    NAMES_ENGINE,
    Extraction,
    Field,
    RetailerRef,
    extract,
    find_payments,
    find_purchase_dates,
    find_totals,
    not_purchase_date,
    retailer_score,
    retailer_threshold,
)
from .text import fix_digits, fold, numeric_order_votes

Status = Literal["verified", "mismatch", "unreadable"]
VERIFIED: Status = "verified"
MISMATCH: Status = "mismatch"
UNREADABLE: Status = "unreadable"



@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers verification decides by, chosen by cross-validation (benchmarks/receipts.py).

    ``retailer_margin`` is added to each name's own threshold (``retailer_threshold``);
    ``vote_margin`` is the share of its strongest rival the claimed value's readings must
    weigh on its line; ``paid_support`` is how many readings must show what was paid.
    """

    retailer_margin: float = 0.0
    vote_margin: float = 0.9
    paid_support: int = 2


DEFAULT_THRESHOLDS = Thresholds()
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
    margin: float = 0.0,
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
    if score < retailer_threshold(ref) + margin:
        return FieldCheck(MISMATCH, label, line.text if line else None, 1 - score / 100, line)
    for other in others:
        other_score, other_line = retailer_score(doc, other)
        # Another listed shop that matches clearly better wins: the claim names the wrong shop.
        if other_score >= retailer_threshold(other) and other_score > score + 5:
            return FieldCheck(MISMATCH, label, other.name, other_score / 100, other_line)
    conf = score / 100 * (0.6 + 0.4 * (line.confidence if line else 0))
    return FieldCheck(VERIFIED, label, line.text if line else None, conf, line)


def check_retailer_readings(
    extraction: Extraction,
    expected: str | RetailerRef | Sequence[RetailerRef],
    *,
    others: Sequence[RetailerRef] = (),
    margin: float = 0.0,
) -> FieldCheck:
    """Verify the shop in any reading that read the header: the first one that shows it."""
    docs = (extraction.document, *extraction.alternates)
    # The header is judged on whole-page readings and on the reading that read the name lines
    # again (put back in their place, so the date line still marks where the seller's name
    # ends); the other key-line readings changed only total and date lines.
    pages = [doc for doc in docs if LINES_ENGINE not in doc.engine or NAMES_ENGINE in doc.engine]
    checks = [check_retailer(doc, expected, others=others, margin=margin) for doc in pages]
    return next((c for c in checks if c.status == VERIFIED), checks[0])


def _readings(extraction: Extraction) -> tuple[Document, ...]:
    return (extraction.document, *extraction.alternates)


def check_date(extraction: Extraction, expected: date, *, vote: float = 0.9) -> FieldCheck:
    """Verify the purchase date: it must be a purchase date printed, in any reading of the page."""
    label = expected.isoformat()
    # The receipt's day/month order stays the one decided on the first reading.
    readings = [list(extraction.dates)] + [
        [
            f
            for _, f in find_purchase_dates(
                doc, day_first=extraction.day_first, year_first=extraction.year_first
            )
        ]
        for doc in extraction.alternates
    ]
    agreed = _agreed(readings, expected, margin=vote)
    if agreed is not None:
        return FieldCheck(VERIFIED, label, label, agreed.confidence, agreed.line)
    read_rows = [f.line for candidates in readings for f in candidates if f.line is not None]
    near = _impossible_near_miss(extraction, expected, read_rows)
    if near is not None:
        return FieldCheck(VERIFIED, label, near.text, 0.5 * near.confidence, near)
    if not any(readings):
        return FieldCheck(UNREADABLE, label, None, 0.0)
    found = extraction.date
    return FieldCheck(
        MISMATCH,
        label,
        found.value.isoformat() if found.value else None,
        found.confidence,
        found.line,
    )


_NUMERIC_DATE = re.compile(
    r"(?<![\d/\-])(\d{1,2}) ?([/\-.]) ?(\d{1,2}) ?\2 ?(\d{4}|\d{2})(?!\d)"
    r"|(?<!\d)(\d{4})([-./])(\d{1,2})\6(\d{1,2})(?!\d)"
)


def _impossible_near_miss(
    extraction: Extraction, expected: date, read_rows: Sequence[Line] = ()
) -> Line | None:
    """Return a line whose date is the expected one but for one impossible, one-digit-off part.

    ``63/05/2018`` cannot be a date and ``2048`` cannot be a purchase year, so each is an OCR
    error; when the other parts equal the claim exactly and the impossible part is the claimed
    one with a single digit changed, the claim is what was printed. A neighbouring day or
    another year that could be real never passes, and neither does a line that another
    reading read as a real date (``38/03`` beside ``30/03`` is 30 March, not 31).
    """
    latest = datetime.now(UTC).year + 1
    for doc in _readings(extraction):
        for line in doc.lines:
            folded = fold(line.text)
            if not_purchase_date(folded):
                continue
            # A real date read on this row in the receipt's order settles it.
            settled = any(_same_row(line, r) for r in read_rows)
            for m in _NUMERIC_DATE.finditer(fix_digits(folded)):
                if m.group(1):
                    a, b, y = m.group(1), m.group(3), m.group(4)
                    # "05-15-18" may be the only month-first vote there is, and a misread.
                    orders = {extraction.day_first, _day_first_without(doc, line, extraction)}
                    if settled:
                        orders.discard(extraction.day_first)
                    triples = [(a, b, y) if first else (b, a, y) for first in orders]
                elif settled:
                    continue
                else:
                    triples = [(m.group(8), m.group(7), m.group(5))]
                if any(_one_impossible_digit(t, expected, latest) for t in triples):
                    return line
    return None


def _day_first_without(doc: Document, line: Line, extraction: Extraction) -> bool:
    """Return the receipt's day/month order as decided without one line's dates."""
    day, month = numeric_order_votes([ln.text for ln in doc.lines if ln is not line])
    if day != month:
        return day > month
    currency = extraction.currency
    return not (currency.value == "USD" and currency.confidence >= 0.5)


def _one_impossible_digit(parts: tuple[str, str, str], expected: date, latest: int) -> bool:
    """Return whether day, month, year equal the date but for one impossible, one-digit part."""
    d, mo, y = parts
    want_y = str(expected.year) if len(y) == 4 else f"{expected.year % 100:02d}"
    checks = [
        (d.zfill(2), f"{expected.day:02d}", not 1 <= int(d) <= 31),
        (mo.zfill(2), f"{expected.month:02d}", not 1 <= int(mo) <= 12),
        (y, want_y, len(y) == 4 and not 2000 <= int(y) <= latest),
    ]
    wrong = [c for c in checks if c[0] != c[1]]
    if len(wrong) != 1:
        return False
    read, want, impossible = wrong[0]
    return impossible and sum(x != w for x, w in zip(read, want, strict=True)) == 1


def _agreed[T](
    readings: Sequence[Sequence[Field[T]]], expected: T, *, support: int = 1, margin: float = 0.9
) -> Field[T] | None:
    """Return the expected value's field where the readings of its line agree on it.

    Candidates are grouped by the line they sit on. On that line, the readings that show the
    expected value must outweigh (by the confidence of their digits) those that show another
    value instead: a digit one reading got wrong neither hides the right value nor stands in
    for a wrong claim on its own, while a second value printed on the same line (a time
    beside the date) is no rival.
    """
    rows: list[tuple[Line, list[dict[T, float]], Field[T] | None]] = []
    for k, candidates in enumerate(readings):
        for candidate in candidates:
            if candidate.line is None or candidate.value is None:
                continue
            at = next((n for n, r in enumerate(rows) if _same_row(r[0], candidate.line)), None)
            if at is None:
                rows.append((candidate.line, [{} for _ in readings], None))
                at = len(rows) - 1
            line, seen, field = rows[at]
            seen[k][candidate.value] = _digit_confidence(candidate.line)
            if candidate.value == expected and field is None:
                rows[at] = (line, seen, candidate)
    for _, seen, field in rows:
        if field is None:
            continue
        if sum(expected in values for values in seen) < support:
            continue
        mine = sum(values[expected] for values in seen if expected in values)
        rivals: dict[T, float] = {}
        for values in seen:
            if expected not in values:
                for value, weight in values.items():
                    rivals[value] = rivals.get(value, 0.0) + weight
        if mine >= max(rivals.values(), default=0.0) * margin:
            return field
    return None


def _digit_confidence(line: Line) -> float:
    confs = [w.confidence for w in line.words if any(c.isdigit() for c in w.text)]
    return sum(confs) / len(confs) if confs else line.confidence


def _same_row(a: Line, b: Line) -> bool:
    return a.box.same_row(b.box, share=0.5)


def check_total(
    extraction: Extraction, expected: Decimal, *, vote: float = 0.9, paid_support: int = 2
) -> FieldCheck:
    """Verify the total paid: the claimed amount must be read on a total line, to the cent."""
    label = str(expected)
    claimed = expected.quantize(Decimal("0.01"))
    found = extraction.total
    readings = [[f for _, f in find_totals(doc)] for doc in _readings(extraction)]
    agreed = _agreed(readings, claimed, margin=vote)
    if agreed is not None:
        return FieldCheck(VERIFIED, label, str(agreed.value), agreed.confidence, agreed.line)
    # No total line shows the claim: what was paid (tendered minus change, or a card charge)
    # may, by the same vote. A subtotal or tax amount is never what was paid.
    paid = _agreed(
        _payment_readings(extraction), claimed, support=paid_support, margin=vote
    )
    if paid is not None:
        return FieldCheck(VERIFIED, label, str(paid.value), 0.8 * paid.confidence, paid.line)
    if found.value is None and not any(readings):
        return FieldCheck(UNREADABLE, label, None, 0.0)
    return FieldCheck(
        MISMATCH,
        label,
        str(found.value) if found.value is not None else None,
        found.confidence,
        found.line,
    )


def _payment_readings(extraction: Extraction) -> list[list[Field[Decimal]]]:
    """Return what each reading says was paid, counting only lines that reading itself read.

    A reading of key lines is the first reading with those lines replaced; a payment worked
    out there from a line it did not read again is the first reading's, and counts once.
    """
    # A line read again has its own confidence even where its text came out the same.
    first = {(line.text, line.box, line.confidence) for line in extraction.document.lines}
    out = []
    for doc in _readings(extraction):
        again = LINES_ENGINE in doc.engine
        out.append(
            [
                paid
                for paid, change in find_payments(doc)
                if not again
                or not any(
                    (line.text, line.box, line.confidence) in first
                    for line in (paid.line, change)
                    if line is not None
                )
            ]
        )
    return out


def check_currency(extraction: Extraction, expected: str) -> FieldCheck:
    """Verify the currency printed (or inferred from ``kr`` and country cues)."""
    found = extraction.currency
    # The claimed currency stands in for one the receipt does not print, but a page on which
    # nothing could be read confirms nothing.
    if found.value is None or (found.line is None and not extraction.document.lines):
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
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Verification:
    """Check a receipt against the claimed retailer, date, total and (optionally) currency."""
    extraction = (
        source if isinstance(source, Extraction) else extract(source, currency_hint=currency)
    )
    first = _verify_readings(
        extraction, retailer, date, total, currency, other_retailers, thresholds
    )
    if extraction.pending is None or first.auto_approvable:
        return first
    # The further readings are made only now, and only the fields not yet verified are asked
    # again: a reading that confirmed a field is not second-guessed by a later one.
    more = _verify_readings(
        extraction.complete(), retailer, date, total, currency, other_retailers, thresholds
    )
    def kept(a: FieldCheck | None, b: FieldCheck | None) -> FieldCheck | None:
        return a if a is not None and a.status == VERIFIED else b

    return Verification(
        kept(first.retailer, more.retailer) or more.retailer,
        kept(first.date, more.date) or more.date,
        kept(first.total, more.total) or more.total,
        kept(first.currency, more.currency),
    )


def _verify_readings(
    extraction: Extraction,
    retailer: str | RetailerRef | Sequence[RetailerRef],
    date: date,
    total: Decimal,
    currency: str | None,
    other_retailers: Sequence[RetailerRef],
    thresholds: Thresholds,
) -> Verification:
    docs = (extraction.document, *extraction.alternates)
    unreadable = all(len(doc.text.strip()) < _MIN_TEXT for doc in docs)
    retailer_check = check_retailer_readings(
        extraction, retailer, others=other_retailers, margin=thresholds.retailer_margin
    )
    date_check = check_date(extraction, date, vote=thresholds.vote_margin)
    total_check = check_total(
        extraction, total, vote=thresholds.vote_margin, paid_support=thresholds.paid_support
    )
    if unreadable:
        date_check = FieldCheck(UNREADABLE, date.isoformat(), None, 0.0)
        total_check = FieldCheck(UNREADABLE, str(total), None, 0.0)
    currency_check = check_currency(extraction, currency) if currency else None
    return Verification(retailer_check, date_check, total_check, currency_check)
