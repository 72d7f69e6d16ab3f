"""Find retailer, purchase date, total, currency, receipt number and products in a document."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .document import Document, Line
from .text import (
    find_amounts,
    find_dates,
    fix_digits,
    fold,
    name_tokens,
    normalise_name,
    numeric_order_votes,
)

# The Extraction field named "date" hides the type inside that class.
_Date = date


@dataclass(frozen=True, slots=True)
class RetailerRef:
    """A retailer the campaign accepts, with the other names it prints on receipts."""

    name: str
    aliases: tuple[str, ...] = ()
    key: str | int | None = None

    def names(self) -> tuple[str, ...]:
        """Return the name and aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A qualifying product, with aliases and article codes (EAN, SKU) receipts may show."""

    name: str
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    key: str | int | None = None


@dataclass(frozen=True, slots=True)
class Field[T]:
    """One extracted value, how sure we are (0-1), and the line it came from."""

    value: T | None
    confidence: float = 0.0
    line: Line | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the field for JSON."""
        value: Any = self.value
        if isinstance(value, RetailerRef):
            value = value.name
        elif isinstance(value, date | Decimal):
            value = str(value)
        return {
            "value": value,
            "confidence": round(self.confidence, 3),
            "evidence": self.line.as_dict() if self.line else None,
        }


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """A product found on a receipt line, with the price printed there if any."""

    product: ProductRef
    confidence: float
    line: Line
    price: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        """Return the match for JSON."""
        return {
            "product": self.product.name,
            "key": self.product.key,
            "confidence": round(self.confidence, 3),
            "price": str(self.price) if self.price is not None else None,
            "evidence": self.line.as_dict(),
        }


@dataclass(frozen=True)
class Extraction:
    """Everything found on one receipt."""

    document: Document
    retailer: Field[RetailerRef]
    date: Field[date]
    total: Field[Decimal]
    currency: Field[str]
    receipt_number: Field[str]
    products: tuple[ProductMatch, ...] = ()
    dates: tuple[Field[_Date], ...] = field(default=(), repr=False)
    totals: tuple[Field[Decimal], ...] = field(default=(), repr=False)
    day_first: bool = True
    alternates: tuple[Document, ...] = field(default=(), repr=False)
    year_first: bool = False
    # Further readings not made yet: verification asks for them only for the fields the
    # readings so far did not confirm (pipeline.read_receipt), and they are made once.
    pending: Callable[[], Extraction] | None = field(default=None, repr=False, compare=False)

    def complete(self) -> Extraction:
        """Return the extraction with every further reading made (once; later calls reuse it)."""
        if self.pending is None:
            return self
        return self.pending()

    def as_dict(self) -> dict[str, Any]:
        """Return the extraction for JSON."""
        return {
            "retailer": self.retailer.as_dict(),
            "date": self.date.as_dict(),
            "total": self.total.as_dict(),
            "currency": self.currency.as_dict(),
            "receipt_number": self.receipt_number.as_dict(),
            "products": [p.as_dict() for p in self.products],
            "source": self.document.source,
            "engine": self.document.engine,
            "ocr_confidence": round(self.document.confidence, 3),
        }


# --- retailer ---------------------------------------------------------------------------------

_HEADER_LINES = 10
_WEB_OR_ID = re.compile(
    r"www\.|https?:|\.(no|se|dk|de|com|co\.uk|fi|at|ch|nl|com\.au)\b|@|org\.?\s?n|cvr|"
    r"\bvat\s?(no|reg)|ust-?id|gst\s?(id|reg|no)|company\s?no|\(\d{5,}-[a-z]\)",
    re.I,
)


def _header_end(lines: Sequence[Line]) -> int:
    """Return where the header ends: at the first date or date label after two lines, or 10."""
    # The seller's name comes before the purchase details; a name after the date is usually
    # the customer's (invoices addressed to another business).
    return next(
        (
            i
            for i, line in enumerate(lines[:_HEADER_LINES])
            if i >= 2 and (find_dates(line.text) or _DATE_LABEL.search(fold(line.text)))
        ),
        _HEADER_LINES,
    )


# The engine suffix of a reading in which the shop's name lines were read again.
NAMES_ENGINE = "-names"


def name_lines(doc: Document, count: int = 3) -> list[Line]:
    """Return the first header lines that are mostly letters: where the shop's name is printed."""
    lines = doc.pages[0].lines if doc.pages else ()
    found = []
    for line in lines[: _header_end(lines)]:
        letters = sum(c.isalpha() for c in line.text)
        if letters >= 4 and letters >= 0.5 * len(line.text.replace(" ", "")):
            found.append(line)
    return found[:count]


def _retailer_windows(doc: Document) -> list[tuple[str, Line]]:
    """Return the texts where a shop's name is expected: the header, and web or company-id lines."""
    lines = doc.pages[0].lines if doc.pages else ()
    end = _header_end(lines)
    chosen = list(lines[:end])
    chosen += [
        line
        for page in doc.pages
        for line in page.lines
        if line not in chosen and _WEB_OR_ID.search(line.text)
    ]
    windows = [(line.text, line) for line in chosen]
    # A long name is often broken over two header lines.
    for a, b in itertools.pairwise(lines[:end]):
        windows.append((f"{a.text} {b.text}", a))
    return windows


# Characters OCR swaps for one another in names (D.I.Y. read as O.1.¥.); both the name and the
# text are mapped to one shape before comparing.
_SHAPES = str.maketrans(
    {"0": "o", "d": "o", "1": "i", "l": "i", "5": "s", "8": "b", "¥": "y", "$": "s"}
)


def _shaped(tokens: list[str]) -> list[str]:
    return [t.translate(_SHAPES) for t in tokens]


def _name_score(alias_tokens: list[str], window: str) -> float:
    """Return how well a name matches any run of whole words in a window, 0-100."""
    tokens = _shaped(name_tokens(window.replace("¥", "Y").replace("|", "I")))
    alias_tokens = _shaped(alias_tokens)
    if not tokens or not alias_tokens:
        return 0.0
    alias = " ".join(alias_tokens)
    alias_tight = alias.replace(" ", "")
    n = len(alias_tokens)
    best = 0.0
    for size in range(max(1, n - 1), n + 2):
        for start in range(0, max(1, len(tokens) - size + 1)):
            span = tokens[start : start + size]
            text = " ".join(span)
            best = max(
                best, fuzz.ratio(alias, text), fuzz.ratio(alias_tight, text.replace(" ", ""))
            )
    # OCR glues words together ("INDAHGIFT"); compare against glued runs too.
    glued = "".join(tokens)
    if len(alias_tight) >= 6 and len(glued) >= len(alias_tight):
        best = max(best, fuzz.partial_ratio(alias_tight, glued) - 3)
    return best


def retailer_score(doc: Document, retailer: RetailerRef) -> tuple[float, Line | None]:
    """Return the best 0-100 match of a retailer's names in the document and its line."""
    best: tuple[float, Line | None] = (0.0, None)
    windows = _retailer_windows(doc)
    for alias in retailer.names():
        tokens = name_tokens(alias)
        for text, line in windows:
            score = _name_score(tokens, text)
            if score > best[0]:
                best = (score, line)
    return best


# A name of this many letters or more may have more letters misread: unrelated names of that
# length score under 75 against receipt headers, so 82 still keeps them apart.
_LONG_NAME = 20


def retailer_threshold(retailer: RetailerRef) -> float:
    """Return the score a retailer needs; short names need a closer match, long ones less."""
    shortest = min(len(normalise_name(n).replace(" ", "")) for n in retailer.names())
    if shortest <= 5:
        return 92.0
    return 82.0 if shortest >= _LONG_NAME else 86.0


def match_retailer(doc: Document, retailers: Sequence[RetailerRef]) -> Field[RetailerRef]:
    """Return the best-matching retailer from the list, or an empty field."""
    scored = [(retailer_score(doc, r), r) for r in retailers]
    scored = [s for s in scored if s[0][0] >= retailer_threshold(s[1])]
    if not scored:
        return Field(None)
    (score, line), retailer = max(scored, key=lambda s: s[0][0])
    conf = score / 100 * (0.5 + 0.5 * (line.confidence if line else 0))
    return Field(retailer, conf, line)


def header_name(doc: Document) -> Field[str]:
    """Return the first header line that looks like a name, for reading without a retailer list."""
    for line in doc.pages[0].lines[:5] if doc.pages else ():
        letters = sum(c.isalpha() for c in line.text)
        if letters >= 4 and letters >= 0.6 * len(line.text.replace(" ", "")):
            return Field(line.text.strip(), 0.3 * line.confidence, line)
    return Field(None)


# --- total ------------------------------------------------------------------------------------

_STRONG_TOTAL = re.compile(
    r"\b(a betale|att betala|at betale|til betaling|amount due|balance due|total due|grand ?total|"
    r"total to pay|total payable|amt payable|amount payable|zu zahlen|"
    r"rounded total|total rounded|total after round\w*|nett total|total paid|te betalen|"
    r"a payer|totaal te betalen|totalt a betale|summa att betala|"
    # fi, it, es, pl, de-CH, fr: the amount to pay.
    r"totale complessivo|importo pagato|total a pagar|importe total|do zap[lt]aty|"
    r"zu bezahlen|net a payer|montant du|total ttc|"
    # "Montant à payer" (the "à" often lost by OCR), "Total à régler", "Samlet beløb".
    r"montant (a )?payer|a regler|amount paid|amount to pay|total amount|da pagare|a pagar|"
    r"samlet belob|totalt belop|te voldoen)\b"
)
# One-word labels of the amount to pay, long enough to be matched with one letter misread
# ("Zanlbetrag"): none is one letter away from a subtotal or tax word.
_LONG_LABELS = ("zahlbetrag", "gesamtbetrag", "endbetrag", "gesamtsumme", "endsumme",
                "rechnungsbetrag", "maksettava", "kokonaissumma", "totaalbedrag", "naleznosc")
_LONG_WORD = re.compile(r"[a-z]{8,}")


def _strong_label(folded: str) -> bool:
    """Return whether a folded line holds a label of the amount to pay."""
    return bool(_STRONG_TOTAL.search(folded)) or any(
        Levenshtein.distance(word, label, score_cutoff=1) <= 1
        for word in _LONG_WORD.findall(folded)
        for label in _LONG_LABELS
    )


_TOTAL = re.compile(
    # "Tatal", "Tota1", "Totd", "Totl": the label read with a letter wrong or lost.
    r"(\btotal\w*|grandtotal|\bt[o0a]t[a-z4!|1]{1,2}(?!\w)|\bsum\b|\bsumma\b|\bsumme\b|\bi ?alt\b|"
    r"\bgesamt\b|\bbetrag\b|\btotaal\b|"
    r"\bbelopp\b|\bbelob\b|\bbelop\b|\btotalsum\b|"
    r"\byhteensa\b|\bsuma\b|\brazem\b|\blacznie\b|\bimporte\b|\bbedrag\b|"
    r"\bimporto\b|\bmontant\b|\bkwota\b)"
)
# "TotalGST": OCR glues the tax word to the label.
_TAX = re.compile(
    r"(\b|total)(mva|moms|mwst|ust|vat|gst|hst|pst|qst|tps|tvq|tax|sst|btw|tva|iva|alv|ptu)\b"
)
_INCLUSIVE = re.compile(
    r"\b(incl\w*|inel\w*|inc1\w*|inc|ine|inkl\w*|inclusive|including|inkludert|inklusive|"
    r"med moms)\b"
)
_EXCLUDED = re.compile(
    r"(sub\s?-?\s?total|\bdelsum|mellomsum|mellansum|zwischensum|subtotaal|(\b|total)netto|"
    # fr, it, es, fi, pl: before tax or a part of the total ("TotalHT": OCR glues the words).
    r"sous.?total|(\b|total)ht\b|hors tax|imponibile|base imponible|\bveroton|opodatkowan|"
    r"\brendu|\bmonnaie|\bresto\b|\bcambio\b|\breszta\b|\btakaisin|wisselgeld|byttepenge|"
    r"\bespeces|\bcontanti|\befectivo|\bgotowka|\bkateinen|"
    r"(\b|total)(excl|ekskl|exkl)|\beks\b|\bexcluding|\bexclusive|"
    r"\bohne\b|\buten\b|\butan\b|\buden\b|"
    r"before (tax|vat|gst)|\bherav|\bheraf|\bvarav|\bdarin|\bdavon|of which|"
    r"change|\bveksel|vaxel|byttepeng|tilbake|ruckgeld|zuruck|\bcash\b|kontant|tender|gegeben|"
    r"\bbar\b|received|mottatt|\bqty\b|quantity|\bantall|\bantal\b|anzahl|\bitems?\b|\bvarer\b|"
    r"artik|\bstk\b|\bpcs\b|discount|rabat|saving|\bspart|besparelse|rounding|avrund|"
    r"point|poeng|bonus|\btips?\b|\bpant\b|deposit|\bweight|\bvekt|\bbalance\b(?! due)|"
    r"\bnet total|total net)"
)


def total_label(folded: str) -> int:
    """Return 2 for a line that may hold the total paid, 1 for another total-like label, else 0."""
    if _total_rank(folded):
        return 2
    return 1 if _strong_label(folded) or _TOTAL.search(folded) else 0


def _total_rank(folded: str) -> int:
    """Return 2 for a final-total label, 1 for a total label, 0 for anything else."""
    strong = _strong_label(folded)
    if not strong and not _TOTAL.search(folded):
        return 0
    if _EXCLUDED.search(folded) and not (strong and "round" in folded):
        return 0
    if _TAX.search(folded) and not _INCLUSIVE.search(folded):
        return 0
    return 2 if strong else 1


def _amount_after_label(lines: Sequence[Line], i: int) -> tuple[Decimal, Line] | None:
    """Return the rightmost amount on a total line, or on the next line when the label is alone."""
    line = lines[i]
    amounts = find_amounts(line.text)
    if amounts:
        return amounts[-1][0], line
    # "RM28 05": the decimal point lost at the end of a total line, after a currency or label.
    lost = _LOST_POINT.search(fix_digits(line.text))
    if lost:
        return Decimal(f"{lost.group(1)}.{lost.group(2)}"), line
    if i + 1 < len(lines):
        nxt = lines[i + 1]
        close = nxt.box.page == line.box.page and nxt.box.y0 - line.box.y1 < 1.5 * line.box.height
        letters = sum(c.isalpha() for c in nxt.text)
        nxt_amounts = find_amounts(nxt.text)
        if close and nxt_amounts and letters <= 4 and _total_rank(fold(nxt.text)) == 0:
            return nxt_amounts[-1][0], nxt
    return None


_ROUNDING = re.compile(r"round|avrund|afrund|rundung|bulat")
# The header of a tax breakdown table, whose "Total" row holds net and tax columns.
# (Not "tax code" alone: item tables have a tax code column too.)
_TAX_TABLE = re.compile(
    r"summary|sumary|tax analysis|grunnlag|underlag|grundlag|specifikation|spesifikasjon|"
    r"oversigt|oversikt|ubersicht|aufstellung|"
    r"\bnetto\b.*\b(mwst|ust|moms|mva)\b|\b(mwst|ust|moms|mva)\b.*\bnetto\b"
)
_TAX_TABLE_ROWS = 5


def find_totals(doc: Document) -> list[tuple[int, Field[Decimal]]]:
    """Return every amount printed on a total line, with the label's rank.

    When a rounding adjustment is printed, the totals above it are before rounding and do not
    count; an amount standing alone right after it is the rounded total. Rows of a tax
    breakdown table and lines whose last amount is not their largest are columns, not totals.
    """
    found: list[tuple[int, Field[Decimal]]] = []
    for page in doc.pages:
        lines = page.lines
        page_found: list[tuple[int, int, Field[Decimal]]] = []
        table_until = -1
        rounded = False
        derived: tuple[int, Field[Decimal], Decimal, Line] | None = None
        net: list[tuple[int, int, Field[Decimal]]] = []
        for i, line in enumerate(lines):
            folded = fold(line.text)
            if _TAX_TABLE.search(folded):
                table_until = i + _TAX_TABLE_ROWS
            rank = _total_rank(folded)
            if not rank and rounded and _NET_TOTAL.search(folded):
                # After a rounding adjustment, "Net total" is what is left to pay.
                rank = 1
            if not rank and _NET_TOTAL.search(folded) and not _TAX.search(folded):
                hit = _amount_after_label(lines, i)
                if hit is not None and hit[0] > 0:
                    net.append((i, 1, Field(hit[0], 0.5 + 0.25 * line.confidence, hit[1])))
            if not rank:
                second = _second_label(line)
                if second is not None:
                    page_found.append((i, 1, second))
                    continue
                adjustment = _rounding_adjustment(line.text)
                amounts = find_amounts(line.text)
                if rounded and adjustment is not None and amounts and amounts[-1][0] >= 1:
                    # "Rounding RM 52.10" under "Rounding Adjustment RM .02": the rounded total.
                    conf = 0.6 + 0.25 * line.confidence
                    page_found.append((i, 1, Field(amounts[-1][0], conf, line)))
                    continue
                if adjustment is not None:
                    rounded = True
                    before = max(page_found, key=lambda t: t[2].value or 0, default=None)
                    # Before rounding: drop what was found so far on this page.
                    page_found = []
                    alone = _amount_alone(lines, i)
                    if alone is not None:
                        page_found.append((i + 1, 1, alone))
                    if before is not None:
                        derived = (i, before[2], adjustment, line)
                continue
            if i <= table_until:
                continue
            amounts = find_amounts(line.text)
            if len(amounts) >= 2 and amounts[-1][0] < max(a for a, _, _ in amounts):
                continue
            hit = _amount_after_label(lines, i)
            if hit is None or hit[0] <= 0:
                continue
            amount, source = hit
            conf = (0.75 if rank == 2 else 0.6) + 0.25 * min(line.confidence, source.confidence)
            page_found.append((i, rank, Field(amount, conf, source if source is line else line)))
        if derived is not None and not any(t[0] >= derived[0] for t in page_found):
            # The rounded total itself was not read: the total before it plus the adjustment.
            field_ = _rounded(derived[1], derived[2], derived[3])
            if field_ is not None:
                page_found.append((derived[0], 1, field_))
        # "Net total" means after discounts in some countries and before tax in others; it is
        # the total only when nothing else on the page is.
        found += [(rank, f) for _, rank, f in page_found or net]
    return found


_NET_TOTAL = re.compile(r"\bnett? ?total\b")
_LOST_POINT = re.compile(r"(?:[a-z:]|^)\s?(\d{1,5}) (\d{2})\W{0,2}$", re.I)
_BARE_CENTS = re.compile(r"(?<![\d.,])(-)?[.,](\d{2})(?!\d)")


_LABEL_WORD = re.compile(r"\b(total|totalt|sum|summe|summa)\b", re.I)


def _second_label(line: Line) -> Field[Decimal] | None:
    """Return the total of a line that holds two labelled amounts, the last one a total.

    "TOTAL SAVING 0.00 TOTAL 6.85": the line as a whole is a saving, its last part the total.
    """
    starts = [m.start() for m in _LABEL_WORD.finditer(line.text) if m.start() > 0]
    if not starts:
        return None
    part = line.text[starts[-1] :]
    amounts = find_amounts(part)
    lost = _LOST_POINT.search(fix_digits(part))
    value = amounts[-1][0] if amounts else Decimal(f"{lost[1]}.{lost[2]}") if lost else None
    before = line.text[: starts[-1]]
    if value is None or not any(c.isdigit() for c in before) or _total_rank(fold(part)) == 0:
        return None
    return Field(value, 0.6 + 0.25 * line.confidence, line)


def _rounding_adjustment(text: str) -> Decimal | None:
    """Return the amount of a cash-rounding line: 0 when it reads no usable adjustment.

    None when the line is not a rounding line or adjusts by exactly zero (the total above it
    is then the total paid).
    """
    if not _ROUNDING.search(fold(text)):
        return None
    amounts = find_amounts(text)
    cents = _BARE_CENTS.search(text)
    if not amounts and cents:
        # ".02": the adjustment printed without its leading zero.
        return Decimal(f"{cents.group(1) or ''}0.{cents.group(2)}")
    if amounts and amounts[-1][0] == 0:
        return None
    if not amounts or abs(amounts[-1][0]) >= 1:
        return Decimal(0)
    return amounts[-1][0]


def _rounded(before: Field[Decimal], adjustment: Decimal, line: Line) -> Field[Decimal] | None:
    """Return the total before rounding plus the adjustment, when that is a rounded amount.

    Cash rounding (to 0.05, 0.10, 0.50 or 1.00) always ends on a multiple of 0.05; an unsigned
    adjustment takes the sign that gives one.
    """
    if before.value is None or not adjustment:
        return None
    options = [adjustment] if adjustment < 0 else [adjustment, -adjustment]
    results = {before.value + a for a in options if (before.value + a) * 100 % 5 == 0}
    if len(results) != 1:
        return None
    return Field(results.pop(), min(before.confidence, 0.5 + 0.25 * line.confidence), line)


def _amount_alone(lines: Sequence[Line], i: int) -> Field[Decimal] | None:
    """Return the amount on the line after a rounding adjustment when it stands alone."""
    if i + 1 >= len(lines):
        return None
    nxt = lines[i + 1]
    amounts = find_amounts(nxt.text)
    letters = sum(c.isalpha() for c in nxt.text)
    folded = fold(nxt.text)
    if len(amounts) != 1 or letters > 4 or _EXCLUDED.search(folded) or amounts[0][0] <= 0:
        return None
    return Field(amounts[0][0], 0.6 + 0.25 * nxt.confidence, nxt)


def pick_total(totals: Sequence[tuple[int, Field[Decimal]]]) -> Field[Decimal]:
    """Pick the total paid: the best label rank, then the largest amount."""
    if not totals:
        return Field(None)
    _, best = max(totals, key=lambda t: (t[0], t[1].value or 0))
    amounts = {f.value for _, f in totals}
    # Several different amounts on total lines make the choice less certain.
    conf = best.confidence * (1.0 if len(amounts) == 1 else 0.85)
    return Field(best.value, conf, best.line)


# --- payment ----------------------------------------------------------------------------------

_CASH = re.compile(
    r"\b(cash|tunai|kontant\w*|bar|bargeld|contant|tender\w*|especes|contanti|efectivo|"
    r"gotowka|kateinen)\b"
)
_CARD = re.compile(
    r"\b(visa|master ?card|mastercard|maestro|amex|american express|card|credit|debit|kort|"
    r"bankkort|karte|girocard|ec-?karte|dankort|bankaxept|paid by|betalt med|carte|cb|tarjeta|"
    r"karta|carta|pankkikortti|bancontact|bancomat|bankomat|pin|interac|eftpos)\b"
)
_CHANGE = re.compile(
    r"\bchange\b|\bkembali|\bbaki\b|\bveksel|\bvaxel|byttepeng|tilbake|ruckgeld|wechselgeld|"
    r"\brendu|monnaie rendue|\bresto\b|\bcambio\b|\breszta\b|\btakaisin|wisselgeld"
)
_PAYMENT_NOT = re.compile(r"round|avrund|point|poeng|bonus|balance|saldo|refund|\bno\b[.:]?$")
_CHANGE_LINES = 3


def find_payments(doc: Document) -> list[tuple[Field[Decimal], Line | None]]:
    """Return what the payment lines say was paid: tendered minus change, or a card payment.

    Cash handed over minus the change given back is the amount paid, which is the total; a
    card is charged the total exactly. Cash without a change line says nothing (the customer
    may have handed over a round sum), and a card amount counts only when it is the one
    payment on the page (a split payment charges the card part of the total). Each comes with
    the change line it used, if any.
    """
    found: list[tuple[Field[Decimal], Line | None]] = []
    for page in doc.pages:
        lines = page.lines
        tendered: list[tuple[int, bool, Decimal]] = []
        for i, line in enumerate(lines):
            folded = fold(line.text)
            if _CHANGE.search(folded) or _PAYMENT_NOT.search(folded) or _total_rank(folded):
                continue
            card = bool(_CARD.search(folded))
            if not card and not _CASH.search(folded):
                continue
            amounts = find_amounts(line.text)
            if amounts and amounts[-1][0] > 0:
                tendered.append((i, card, amounts[-1][0]))
        single = len({amount for _, _, amount in tendered}) == 1
        for i, card, amount in tendered:
            change = _change_after(lines, i)
            line = lines[i]
            if change is not None and 0 <= change[0] < amount:
                conf = 0.5 + 0.25 * min(line.confidence, change[1].confidence)
                found.append((Field(amount - change[0], conf, line), change[1]))
            elif change is None and card and single:
                found.append((Field(amount, 0.45 + 0.25 * line.confidence, line), None))
    return found


def _change_after(lines: Sequence[Line], i: int) -> tuple[Decimal, Line] | None:
    """Return the change given back, printed within a few lines after a payment line."""
    for line in lines[i + 1 : i + 1 + _CHANGE_LINES]:
        if _CHANGE.search(fold(line.text)):
            amounts = find_amounts(line.text)
            if amounts:
                return abs(amounts[-1][0]), line
    return None


# --- date -------------------------------------------------------------------------------------

_DATE_LABEL = re.compile(
    r"\b(dato|date|datum|kjopsdato|kopdatum|kaufdatum|salgsdato|kobsdato|invoice date|"
    r"transaction date|fakturadato|rechnungsdatum|belegdatum|tarih|bill date|doc date|"
    r"data|fecha|pvm|paivays|paivamaara|datum zakupu)\b"
)
_NOT_PURCHASE_DATE = re.compile(
    r"(retur|return|gyldig|valid|expir|\bexp\b|utlop|forfall|\bdue\b|garanti|warrant|bytte|"
    r"apent kjop|oppet kop|\bbyt|umtausch|best before|delivery|levering|leverans|lieferung|"
    r"printed|utskrift|from|til\b|until|bis\b)"
)


def not_purchase_date(folded: str) -> bool:
    """Return whether a folded line's dates are return, expiry or delivery dates."""
    return bool(_NOT_PURCHASE_DATE.search(folded))


def find_purchase_dates(
    doc: Document, *, day_first: bool, year_first: bool = False
) -> list[tuple[bool, Field[date]]]:
    """Return dates that may be the purchase date, flagged when a date label is near."""
    found: list[tuple[bool, Field[date]]] = []
    # A purchase is never dated in a later year: such a date is a misread or a time.
    latest = datetime.now(UTC).year + 1
    for line in doc.lines:
        folded = fold(line.text)
        if _NOT_PURCHASE_DATE.search(folded):
            continue
        labelled = bool(_DATE_LABEL.search(folded))
        for value, _, _, kind in find_dates(line.text, day_first=day_first, year_first=year_first):
            if value.year > latest:
                continue
            conf = 0.6 + 0.25 * line.confidence + (0.1 if labelled else 0.0)
            if kind.startswith("compact"):
                conf -= 0.3
            found.append((labelled, Field(value, min(conf, 0.99), line)))
    return found


def decide_day_first(doc: Document, currency: Field[str], hint: str | None = None) -> bool:
    """Decide whether 03/04 means 3 April: from unambiguous dates, else from the currency."""
    day_votes, month_votes = numeric_order_votes([line.text for line in doc.lines])
    if day_votes != month_votes:
        return day_votes > month_votes
    # Only the United States writes month first. A bare "$" is printed in many countries (and
    # misread for "S"); a stated USD counts, or a claim in USD that nothing printed contradicts.
    if hint and hint.upper() == "USD" and currency.value in (None, "USD"):
        return False
    return not (currency.value == "USD" and currency.confidence >= 0.5)


# Sweden writes short dates year first (24-03-16 is 16 March 2024); so does a Swedish till.
_SWEDISH = re.compile(r"\bsek\b|\.se\b|\bkvitto\b|\bmoms\b.*\bsek\b|\bkvittonr\b")


def decide_year_first(doc: Document, currency: Field[str], hint: str | None = None) -> bool:
    """Decide whether a short date such as 24-03-16 starts with the year (Swedish receipts)."""
    if currency.value == "SEK" or (hint and hint.upper() == "SEK"):
        return True
    return bool(_SWEDISH.search(fold(doc.text)))


# --- currency ---------------------------------------------------------------------------------

_CURRENCY_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bnok\b"), "NOK"),
    (re.compile(r"\bsek\b"), "SEK"),
    (re.compile(r"\bdkk\b"), "DKK"),
    (re.compile(r"\beur\b|€"), "EUR"),
    (re.compile(r"\bgbp\b|£"), "GBP"),
    (re.compile(r"\busd\b|us\$"), "USD"),
    (re.compile(r"\baud\b|a\$"), "AUD"),
    (re.compile(r"\bmyr\b|\brm\s?\d"), "MYR"),
    (re.compile(r"\bisk\b"), "ISK"),
    (re.compile(r"\bchf\b"), "CHF"),
    (re.compile(r"\bpln\b|\d\s?zl\b"), "PLN"),
    (re.compile(r"\bcad\b|c\$"), "CAD"),
)
_KRONE = re.compile(r"\bkr\b\.?|\d,-")


def find_currency(doc: Document, hint: str | None) -> Field[str]:
    """Return the currency: printed codes and symbols, else ``kr`` resolved by country cues."""
    counts: Counter[str] = Counter()
    where: dict[str, Line] = {}
    krone_line: Line | None = None
    text = fold(doc.text)
    for line in doc.lines:
        folded = fold(line.text)
        for pattern, code in _CURRENCY_TOKENS:
            if pattern.search(folded):
                counts[code] += 1
                where.setdefault(code, line)
        if krone_line is None and _KRONE.search(folded):
            krone_line = line
    if counts:
        code, n = counts.most_common(1)[0]
        if hint and hint.upper() in counts:
            code = hint.upper()
        return Field(code, min(0.6 + 0.1 * n, 0.95), where[code])
    if krone_line is not None:
        if hint and hint.upper() in {"NOK", "SEK", "DKK", "ISK"}:
            return Field(hint.upper(), 0.8, krone_line)
        cues = {
            "NOK": len(re.findall(r"\bmva\b|\.no\b|kvittering|foretaksregisteret|\bnok\b", text)),
            "SEK": len(
                re.findall(r"\.se\b|kvitto|\bmoms\b.*\bsek\b|org\.?\s?nr \d{6}-\d{4}", text)
            ),
            "DKK": len(re.findall(r"\.dk\b|\bcvr\b|\bi alt\b|\bdkk\b", text)),
        }
        best = max(cues, key=lambda c: cues[c])
        if cues[best]:
            return Field(best, 0.6, krone_line)
        return Field(None, 0.0, krone_line)
    if "$" in doc.text:
        dollar = next((ln for ln in doc.lines if "$" in ln.text), None)
        if hint:
            return Field(hint.upper(), 0.5, dollar)
        return Field("USD", 0.3, dollar)
    return Field(hint.upper() if hint else None, 0.2 if hint else 0.0)


# --- receipt number ---------------------------------------------------------------------------

_RECEIPT_NO = re.compile(
    r"(?:kvittering(?:s)?|kvitto|receipt|invoice|inv|bill|bon|beleg|order|ordre|faktura|"
    r"rechnung|kassenbon|bilag|bong|transaktion|transaction|trans|doc|dokument|slip|ref|cash ?sale|"
    r"ticket|scontrino|paragon|kuitti|factura simpl|factura|kassabon|bonnr)"
    r"\s*(?:-?nr|-?nummer|no|number|num|#|id|n)?\s*\.?\s*[:#.]?\s*(?:nr\.?|no\.?|nro|n\.?|#)?\s*:?\s*"
    r"([a-z]{0,4}[-/]?\d[\w\-/]{2,})",
    re.I,
)


def find_receipt_number(doc: Document) -> Field[str]:
    """Return the receipt, invoice or order number printed after its label."""
    for line in doc.lines:
        m = _RECEIPT_NO.search(fold(line.text))
        if m and sum(c.isdigit() for c in m.group(1)) >= 3:
            return Field(m.group(1).upper(), 0.5 + 0.4 * line.confidence, line)
    return Field(None)


# --- products ---------------------------------------------------------------------------------


def find_products(doc: Document, products: Sequence[ProductRef]) -> list[ProductMatch]:
    """Return the given products found on item lines, best line per product."""
    matches: list[ProductMatch] = []
    lines = [ln for ln in doc.lines if not _total_rank(fold(ln.text))]
    for product in products:
        best: tuple[float, Line] | None = None
        for line in lines:
            tight_line = re.sub(r"[^0-9a-z]", "", fold(line.text))
            score = 0.0
            if any(
                code and re.sub(r"\D", "", code) in re.sub(r"\D", "", line.text)
                for code in product.codes
                if len(re.sub(r"\D", "", code)) >= 6
            ):
                score = 100.0
            for alias in (product.name, *product.aliases):
                tight = re.sub(r"[^0-9a-z]", "", fold(alias))
                if len(tight) < 3 or len(tight_line) < 0.7 * len(tight):
                    continue
                score = max(score, fuzz.partial_ratio(tight, tight_line))
            if score >= 85 and (best is None or score > best[0]):
                best = (score, line)
        if best is not None:
            score, line = best
            amounts = find_amounts(line.text)
            price = amounts[-1][0] if amounts else None
            matches.append(ProductMatch(product, score / 100 * line.confidence, line, price))
    return matches


# --- all --------------------------------------------------------------------------------------

_NO_DATE: Field[date] = Field(None)


def extract(
    doc: Document,
    *,
    retailers: Sequence[RetailerRef] = (),
    products: Sequence[ProductRef] = (),
    currency_hint: str | None = None,
) -> Extraction:
    """Extract the receipt's fields, matching the retailer and products against the given lists."""
    currency = find_currency(doc, currency_hint)
    day_first = decide_day_first(doc, currency, currency_hint)
    year_first = decide_year_first(doc, currency, currency_hint)
    dates = find_purchase_dates(doc, day_first=day_first, year_first=year_first)
    labelled = [f for is_labelled, f in dates if is_labelled]
    purchase = labelled[0] if labelled else (dates[0][1] if dates else _NO_DATE)
    totals = find_totals(doc)
    if retailers:
        retailer = match_retailer(doc, retailers)
    else:
        name = header_name(doc)
        retailer = Field(
            RetailerRef(name.value) if name.value else None, name.confidence, name.line
        )
    return Extraction(
        document=doc,
        retailer=retailer,
        date=purchase,
        total=pick_total(totals),
        currency=currency,
        receipt_number=find_receipt_number(doc),
        products=tuple(find_products(doc, products)),
        dates=tuple(f for _, f in dates),
        totals=tuple(f for _, f in totals),
        day_first=day_first,
        year_first=year_first,
    )
