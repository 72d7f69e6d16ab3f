"""Text helpers shared by extraction and verification: folding, amounts, dates, names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "ł": "l",
        "Ł": "l",
        "ı": "i",
        # PP-OCR's alphabet holds Greek letters, and it reads a thin u as mu.
        "μ": "u",
        "µ": "u",
        "\u2019": "'",
        "\u2018": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)


def fold(text: str) -> str:
    """Return text casefolded with diacritics removed (``Elkjøp`` → ``elkjop``)."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_LEGAL = {
    "as",
    "asa",
    "ab",
    "publ",
    "a/s",
    "aps",
    "gmbh",
    "ag",
    "kg",
    "co",
    "ltd",
    "limited",
    "plc",
    "inc",
    "llc",
    "oy",
    "oyj",
    "sdn",
    "bhd",
    "bv",
    "nv",
    "sa",
    "sarl",
    "srl",
    "spa",
    "corp",
    "m",
    "the",
    "norge",
    "sverige",
    "danmark",
    "deutschland",
    "norway",
    "sweden",
    "denmark",
    "germany",
    "uk",
    "ehf",
    "hf",
    "og",
    "und",
    "and",
    "&",
}


def name_tokens(text: str) -> list[str]:
    """Return a name's folded tokens without punctuation and legal-form words."""
    folded = fold(text).replace("a/s", " ")
    tokens = re.findall(r"[0-9a-z]+", folded)
    kept = [t for t in tokens if t not in _LEGAL]
    return kept or tokens


def normalise_name(text: str) -> str:
    """Return a name folded, without punctuation or legal form (``Elkjøp Norge AS``: ``elkjop``)."""
    return " ".join(name_tokens(text))


# OCR confuses letters with digits inside numbers; only fix them between or next to digits.
_DIGIT_FIXES = (
    (re.compile(r"(?<=\d)[Oo]|[Oo](?=\d)"), "0"),
    (re.compile(r"(?<=\d)[lI|]|[lI|](?=\d)"), "1"),
    (re.compile(r"(?<=\d)S(?=\d)"), "5"),
    (re.compile(r"(?<=\d)Z|Z(?=\d)"), "2"),
)


def fix_digits(text: str) -> str:
    """Return text with letters that OCR often reads for digits fixed inside numbers."""
    for pattern, repl in _DIGIT_FIXES:
        text = pattern.sub(repl, text)
    return text


_AMOUNT = re.compile(
    r"(?<![\d.,])(?P<sign>-)?(?P<int>\d{1,3}(?:(?P<sep>[ .,'\u00a0])\d{3})+|\d+)"
    r"(?:(?P<dec>[.,])(?P<frac>\d{2})(?!\d)|(?P<dash>,-{1,2}))(?![\d.,]\d)"
)


# OCR often puts a space after the decimal point of the last amount on a line ("14. 65").
_SPACED_DECIMALS = re.compile(r"(\d[.,]) (\d{2})(?=\s*$)")


def find_amounts(text: str) -> list[tuple[Decimal, int, int]]:
    """Return the money amounts in a line, each with its span, left to right."""
    text = _SPACED_DECIMALS.sub(r"\1\2", fix_digits(text))
    found: list[tuple[Decimal, int, int]] = []
    for m in _AMOUNT.finditer(text):
        sep, dec = m.group("sep"), m.group("dec") or ","
        integer = m.group("int")
        if sep is not None:
            if sep == dec:
                continue
            # A space as thousands separator is Nordic style, which pairs with a decimal comma;
            # "2 100.00" is a quantity and a price.
            if sep in " \u00a0" and dec != ",":
                start = m.start("int") + integer.rfind(sep) + 1
                value = _to_decimal(integer.rsplit(sep, 1)[1], m.group("frac"))
                if value is not None:
                    found.append((value, start, m.end()))
                continue
            integer = integer.replace(sep, "")
        value = _to_decimal(integer, m.group("frac"))
        if value is None:
            continue
        if m.group("sign"):
            value = -value
        found.append((value, m.start(), m.end()))
    return found


def _to_decimal(integer: str, frac: str | None) -> Decimal | None:
    try:
        return Decimal(f"{integer}.{frac or '00'}")
    except InvalidOperation:
        return None


def parse_amount(text: str) -> Decimal | None:
    """Parse one amount such as ``RM 60.30``, ``1 234,56 kr``, ``499,-`` or ``$7``."""
    amounts = find_amounts(text)
    if amounts:
        return amounts[-1][0]
    digits = re.sub(r"[^\d.,-]", "", text)
    if re.fullmatch(r"-?\d+", digits):
        return Decimal(digits)
    return None


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        # en, nb/da, sv, fr, de/at, es, it, nl, pl (named and genitive), fi (short), abbreviations
        "jan january januar januari janvier jaenner jänner enero ene gennaio gen styczen stycznia"
        " sty tammik tammikuuta",
        "feb february februar februari fevrier fevr febrero febbraio luty lutego lut helmik"
        " helmikuuta",
        "mar march mars marts marz maerz mrz marzo maart mrt marzec marca maalisk maaliskuuta",
        "apr april avril avr abril abr aprile kwiecien kwietnia kwi huhtik huhtikuuta",
        "may mai maj mei mayo maggio mag maja toukok toukokuuta",
        "jun june juni juin junio giugno giu czerwiec czerwca cze kesak kesakuuta",
        "jul july juli juillet juil julio luglio lug lipiec lipca lip heinak heinakuuta",
        "aug august augusti aout agosto ago augustus sierpien sierpnia sie elok elokuuta",
        "sep sept september septembre septiembre settembre set wrzesien wrzesnia wrz syysk"
        " syyskuuta",
        "oct okt october oktober octobre octubre ottobre ott pazdziernik pazdziernika paz lokak"
        " lokakuuta",
        "nov november novembre noviembre listopad listopada lis marrask marraskuuta",
        "dec des dez december desember dezember decembre diciembre dic dicembre grudzien grudnia"
        " gru jouluk joulukuuta",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[fold(_name)] = _number

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# Spanish and Portuguese put "de" between the parts ("22 de abril de 2021").
_SEP = r"(?:[\s./\-,]{0,3}|\s(?:de|del)\s)"
# A four-digit year, also when OCR glued the time to it ("Oct 6, 202414:32").
_Y4 = r"\d{4}(?:(?!\d)|(?=\d{1,2}:\d{2}))"
# Where a numeric date may start: not inside a number, except right after a time of day
# that OCR glued to it ("10:4505/11/2026").
_AFTER = r"(?:(?<![\d.])|(?<=\d:[0-5]\d))"
_AFTER_NUM = r"(?:(?<!\d)|(?<=\d:[0-5]\d))"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # OCR reads a dash as "=" now and then.
    # The time glued to the day ("2026-12-1719:05:48") ends it as well.
    (
        "ymd",
        re.compile(
            r"(?<!\d)(20\d{2})[-./=](\d{1,2})[-./=](\d{1,2})(?:(?!\d)|(?=[0-2]?\d:[0-5]\d))"
        ),
    ),
    (
        "dmy_dot",
        re.compile(
            rf"{_AFTER}(\d{{1,2}})\s?\.\s?(\d{{1,2}})\s?\.\s?({_Y4}|\d{{2}}(?!\d))"
        ),
    ),
    (
        "num",
        re.compile(
            rf"{_AFTER_NUM}(\d{{1,2}})\s?([/\-])\s?(\d{{1,2}})\s?\2\s?({_Y4}|\d{{2}}(?!\d))"
        ),
    ),
    (
        "d_mon_y",
        re.compile(
            # Not the minutes of a time: "19:17 Dec 21, 2026" is no 17 December 2021.
            rf"(?<![\d:])(\d{{1,2}})\.?{_SEP}({_MONTH_RE})\.?{_SEP}({_Y4}|\d{{2}}(?!\d))", re.I
        ),
    ),
    (
        "mon_d_y",
        re.compile(rf"\b({_MONTH_RE})\.?\s?(\d{{1,2}})(?:st|nd|rd|th)?,?\s?({_Y4})", re.I),
    ),
    # The first dot lost to a space ("07 06.2020"): only with a four-digit year.
    ("dmy_dot", re.compile(rf"(?<![\d.])(\d{{1,2}})\s(\d{{1,2}})\.({_Y4})")),
    ("compact", re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)")),
    # 27032018: a day-first date whose separators OCR lost.
    ("compact_dmy", re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(20\d{2})(?!\d)")),
    # "Datum: 261211" or "261211 14:32": six digits count as a date only right after a date
    # label or right before a time of day.
    (
        "labelled_six",
        re.compile(
            r"\b(?:datum|dato|date|data|fecha|pvm)\s?[:.]?\s?(\d{6})(?!\d)"
            r"|(?<![\d.,:/\-])(\d{6})(?=\s{1,3}[0-2]?\d:[0-5]\d(?!\d))"
            r"|(?:(?<=\d:[0-5]\d )|(?<=\d:[0-5]\d  ))(\d{6})(?![\d.,:/\-])"
        ),
    ),
)
# OCR reads the O of a month name as a zero ("0ct", "N0v"); only inside letters is it an O.
_LETTER_ZERO = re.compile(r"(?<=[a-z])0(?=[a-z])|\b0(?=[a-z]{2})")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _safe_date(y: int, m: int, d: int) -> date | None:
    if not 2000 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(
    text: str, *, day_first: bool = True, year_first: bool = False
) -> list[tuple[date, int, int, str]]:
    """Return the dates in a line with span and pattern kind, reading d/m/y or m/d/y as told.

    ``year_first`` reads a short date with a dash (``24-03-16``) as year, month, day.
    """
    text = _LETTER_ZERO.sub("o", fix_digits(fold(text)))
    found: list[tuple[date, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            g = m.groups()
            # "12/05-2018" is no date, but "REG#19-21/05/2018" holds one after the dash.
            if kind == "num" and m.start() and text[m.start() - 1] == g[1]:
                continue
            value: date | None = None
            if kind in ("ymd", "compact"):
                value = _safe_date(int(g[0]), int(g[1]), int(g[2]))
            elif kind == "compact_dmy":
                value = _safe_date(int(g[2]), int(g[1]), int(g[0])) if day_first else None
            elif kind == "dmy_dot":
                value = _safe_date(_year(g[2]), int(g[1]), int(g[0]))
            elif kind == "num":
                a, b = int(g[0]), int(g[2])
                if year_first and g[1] == "-" and len(g[0]) == 2 and len(g[3]) == 2:
                    value = _safe_date(_year(g[0]), b, int(g[3]))
                else:
                    d, mo = (a, b) if day_first else (b, a)
                    value = _safe_date(_year(g[3]), mo, d)
            elif kind == "d_mon_y":
                value = _safe_date(_year(g[2]), MONTHS[g[1].lower()], int(g[0]))
            elif kind == "labelled_six":
                six = g[0] or g[1] or g[2]
                first, mid, last = six[:2], int(six[2:4]), six[4:]
                if year_first:
                    value = _safe_date(_year(first), mid, int(last))
                else:
                    d, mo = (int(first), mid) if day_first else (mid, int(first))
                    value = _safe_date(_year(last), mo, d)
            elif kind == "mon_d_y":
                value = _safe_date(int(g[2]), MONTHS[g[0].lower()], int(g[1]))
            if value is not None:
                found.append((value, m.start(), m.end(), kind))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda item: item[1])
    return found


def numeric_order_votes(texts: list[str]) -> tuple[int, int]:
    """Count numeric dates that can only be day-first and only month-first."""
    day_first = month_first = 0
    for text in texts:
        for m in DATE_PATTERNS[2][1].finditer(fix_digits(text)):
            a, b = int(m.group(1)), int(m.group(3))
            if a > 12 >= b:
                day_first += 1
            elif b > 12 >= a:
                month_first += 1
    return day_first, month_first


def parse_date(text: str, *, day_first: bool = True) -> date | None:
    """Parse one date written in any supported format."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = find_dates(text, day_first=day_first)
    return found[0][0] if found else None
