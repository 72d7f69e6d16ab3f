"""Money, dates, times and bank numbers for people: in their language, with the zone named.

Everything shown to a person goes through here (pages, e-mails, CSV, the CLI): amounts with their
currency and minor units via Babel, times in the campaign country's zone or the viewer's with
the zone named, IBANs grouped by four. Prices are read as people type them in each
participating country ("4 990,00", "4.990,00", "£399.00", "399,-").
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency, format_decimal
from django.utils import translation

from rabatt.core.money import minor_unit, round_money

UTC_ZONE = ZoneInfo("UTC")
_LETTER_DIGIT = re.compile(r"([A-Za-z])(\d)|(?<=\d)(?=[A-Za-z])")
# Where a country spans several zones, the one most of its people live in (CLDR lists the
# primary zone first for every participating country except these).
PRIMARY_ZONES = {"AU": "Australia/Sydney", "CA": "America/Toronto", "US": "America/New_York"}


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale of a Django language code (the active language by default)."""
    # The active language is looked up on every call: only the parsing is cached.
    return _parsed_locale((language or translation.get_language() or "en").replace("-", "_"))


@cache
def _parsed_locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def money(amount: Decimal | int | str | None, currency: str, language: str | None = None) -> str:
    """Format an amount with its currency and minor units, e.g. ``kr 748,50`` or ``€150.00``."""
    if amount is None or amount == "":
        return ""
    value = round_money(Decimal(str(amount)), currency)
    text = format_currency(value, currency, locale=babel_locale(language), currency_digits=True)
    # CLDR's currency spacing: a code written in letters never touches the digits ("NOK 748.50").
    return _LETTER_DIGIT.sub(_spaced, text)


def _spaced(match: re.Match[str]) -> str:
    return f"{match.group(1)}\u00a0{match.group(2)}" if match.group(1) else "\u00a0"


def number(amount: Decimal | int | str, currency: str | None = None,
           language: str | None = None) -> str:
    """Format a number for people, with the currency's minor units when one is given."""
    value = Decimal(str(amount))
    if currency is None:
        return format_decimal(value, locale=babel_locale(language))
    places = -minor_unit(currency).as_tuple().exponent  # type: ignore[operator]
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(round_money(value, currency), format=pattern,
                          locale=babel_locale(language))


def country_zone(country: str) -> tzinfo:
    """The time zone receipts and people of ``country`` live in (UTC if unknown)."""
    code = country.upper()
    name = PRIMARY_ZONES.get(code) or next(iter(get_global("territory_zones").get(code) or []),
                                           None)
    return ZoneInfo(name) if name else UTC_ZONE


def zone_named(name: str | None) -> tzinfo:
    """A zone from its IANA name; UTC for an unknown or empty one."""
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ValueError, KeyError):
        return UTC_ZONE


def local_datetime(value: datetime | None, zone: tzinfo, language: str | None = None) -> str:
    """Format an aware time in ``zone``, naming the zone: ``25 Jul 2019, 16:03 (CEST)``."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    locale = babel_locale(language)
    text = (f"{format_date(local, 'medium', locale=locale)} "
            f"{format_time(local, 'short', locale=locale)}")
    return f"{text} ({zone_label(local, locale)})"


def zone_label(local: datetime, locale: Locale) -> str:
    """A short, unambiguous name of the zone at that instant (``CEST``, ``GMT+2``)."""
    abbreviation = local.tzname() or ""
    # Abbreviations like "CEST" or "BST" are what people read on clocks; numeric ones ("+02")
    # read better as Babel's localised GMT offset.
    if abbreviation.isalpha():
        return abbreviation
    return str(get_timezone_name(local, width="short", locale=locale))


def local_date(value: date | datetime | None, zone: tzinfo | None = None,
               language: str | None = None, length: str = "long") -> str:
    """Format a date (a time is first moved into ``zone``) in the viewer's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone or UTC_ZONE).date()
    return format_date(value, format=length, locale=babel_locale(language))


def iban_grouped(iban: str) -> str:
    """An IBAN in groups of four, as printed on bank cards: ``NO93 8601 1117 947``."""
    compact = re.sub(r"\s+", "", iban).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --- reading prices as people type them --------------------------------------------------------

_SYMBOLS = re.compile(r"[£$€¥]|\b(?:kr|NOK|SEK|DKK|EUR|GBP|USD|CAD|AUD|CHF|PLN|zł|Fr\.?|CHF)\b",
                      re.IGNORECASE)


class PriceError(ValueError):
    """Text that is not a price."""


def parse_price(text: str) -> Decimal:
    """Read a price as people type it: ``4 990,00``, ``4.990,00``, ``4,990.00``, ``£399.00``,
    ``399,-``, ``1'299.50`` (Swiss), with or without a currency sign or code.

    The last separator followed by one or two digits is the decimal mark; every other
    separator (and one followed by three digits) groups thousands: no participating currency
    has three decimals, so ``4.990`` and ``4,990`` are both 4990.
    """
    cleaned = _SYMBOLS.sub("", text or "").strip()
    cleaned = re.sub(r"[,.]\s*[-–]+$", "", cleaned)  # "399,-" and "399.-": whole units
    for space in ("\u00a0", "\u202f", "'", "’"):
        cleaned = cleaned.replace(space, " ")
    cleaned = cleaned.strip().lstrip("+").strip()
    if not re.fullmatch(r"\d[\d .,]*", cleaned):
        raise PriceError(text)
    last = max(cleaned.rfind(","), cleaned.rfind("."))
    decimals = ""
    if last >= 0 and len(cleaned) - last - 1 in (1, 2):
        cleaned, decimals = cleaned[:last], cleaned[last + 1:]
    groups = re.split(r"[ .,]", cleaned)
    # Grouped thousands are three digits each after the first group: "4 99 0" is a typo.
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3
                            or any(len(g) != 3 for g in groups[1:])):
        raise PriceError(text)
    try:
        return Decimal(f"{''.join(groups)}.{decimals}" if decimals else "".join(groups))
    except InvalidOperation as exc:
        raise PriceError(text) from exc
