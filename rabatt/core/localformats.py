"""Postcodes and phone numbers as each participating country writes them.

Postcode rules are data (``POSTCODE_RULES``): a pattern over the compact form (upper case, no
spaces or hyphens), the layout the post office prints, an example and whether the country's
addresses may go without one (Ireland's Eircode). Phone numbers go through ``phonenumbers``
(Google's libphonenumber data): stored in E.164, shown in the country's national format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

from rabatt.core.i18n import country_name


@dataclass(frozen=True)
class PostcodeRule:
    pattern: str
    layout: str
    example: str
    optional: bool = False


# Patterns from each post office's published format; ``layout`` fills the named groups.
POSTCODE_RULES: dict[str, PostcodeRule] = {
    "AU": PostcodeRule(r"(?P<c>\d{4})", "{c}", "2000"),
    "AT": PostcodeRule(r"(?P<c>[1-9]\d{3})", "{c}", "1010"),
    "BE": PostcodeRule(r"(?P<c>[1-9]\d{3})", "{c}", "1000"),
    "CA": PostcodeRule(r"(?P<a>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])"
                       r"(?P<b>\d[ABCEGHJ-NPRSTV-Z]\d)", "{a} {b}", "K1A 0B1"),
    "DK": PostcodeRule(r"(?P<c>[1-9]\d{3})", "{c}", "1050"),
    "FI": PostcodeRule(r"(?P<c>\d{5})", "{c}", "00100"),
    "FR": PostcodeRule(r"(?P<c>\d{5})", "{c}", "75001"),
    "DE": PostcodeRule(r"(?P<c>\d{5})", "{c}", "10115"),
    # Eircode: a routing key (letter, two digits; or D6W) and a four-character unique identifier.
    "IE": PostcodeRule(r"(?P<a>[AC-FHKNPRTV-Y]\d{2}|D6W)(?P<b>[0-9AC-FHKNPRTV-Y]{4})",
                       "{a} {b}", "D02 X285", optional=True),
    "IT": PostcodeRule(r"(?P<c>\d{5})", "{c}", "00184"),
    # Dutch postcodes never use the letter pairs SA, SD and SS.
    "NL": PostcodeRule(r"(?P<a>[1-9]\d{3})(?P<b>(?!SA|SD|SS)[A-Z]{2})", "{a} {b}", "1012 AB"),
    "NO": PostcodeRule(r"(?P<c>\d{4})", "{c}", "0155"),
    "PL": PostcodeRule(r"(?P<a>\d{2})(?P<b>\d{3})", "{a}-{b}", "00-950"),
    # Spain: the first two digits are the province, 01 to 52.
    "ES": PostcodeRule(r"(?P<c>(?:0[1-9]|[1-4]\d|5[0-2])\d{3})", "{c}", "28013"),
    "SE": PostcodeRule(r"(?P<a>[1-9]\d{2})(?P<b>\d{2})", "{a} {b}", "111 22"),
    "CH": PostcodeRule(r"(?P<c>[1-9]\d{3})", "{c}", "8001"),
    # Royal Mail: outward code (area, district) then inward code (sector digit, unit letters).
    "GB": PostcodeRule(r"(?P<a>GIR|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKS-UW]"
                       r"|[A-HK-Y]\d[ABEHMNPRV-Y]))(?P<b>\d[ABD-HJLNP-UW-Z]{2})",
                       "{a} {b}", "SW1A 1AA"),
    "US": PostcodeRule(r"(?P<a>\d{5})(?:(?P<b>\d{4}))?", "{a}", "20500"),
}
_US_PLUS4 = "{a}-{b}"
_PREFIX = re.compile(r"([A-Z]{1,2})\s*-\s*(?=\d)")
_SEPARATORS = re.compile(r"[\s\-‐-―.]+")


class FormatError(ValueError):
    """A value that is not written the way its country writes it; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def postcode_optional(country: str) -> bool:
    """Say whether addresses in ``country`` may go without a postcode."""
    rule = POSTCODE_RULES.get(country.upper())
    return rule is not None and rule.optional


def postcode_normalise(*, country: str, text: str) -> str:
    """Return ``text`` in the country's postcode layout; raise FormatError if it is not one."""
    typed = text.strip()
    rule = POSTCODE_RULES.get(country.upper())
    if rule is None:
        return typed
    if not typed:
        if rule.optional:
            return ""
        raise FormatError(_("Enter your postcode."))
    upper = typed.upper()
    # "DK-1050", "SE-111 22", "D-10115": the old European country prefix is often still typed.
    prefix = _PREFIX.match(upper)
    if prefix and prefix.group(1) in (country.upper(), country.upper()[:1]):
        upper = upper[prefix.end():]
    compact = _SEPARATORS.sub("", upper)
    match = re.fullmatch(rule.pattern, compact)
    if match is None:
        raise FormatError(_("“%(value)s” is not a postcode in %(country)s. Write it like "
                            "this: %(example)s.") % {"value": typed,
                                                     "country": country_name(country),
                                                     "example": rule.example})
    groups = {k: v for k, v in match.groupdict().items() if v}
    layout = _US_PLUS4 if country.upper() == "US" and "b" in groups else rule.layout
    return layout.format(**groups)


def phone_normalise(*, country: str, text: str) -> str:
    """Return a phone number in E.164 ("+4791234567"); raise FormatError if it is not one."""
    typed = text.strip()
    if not typed:
        return ""
    try:
        parsed = phonenumbers.parse(typed, country.upper() or None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise FormatError(_("“%(value)s” is not a phone number we can reach in %(country)s. "
                            "Give the whole number with its area code, or start with + and "
                            "the country code.") % {"value": typed,
                                                   "country": country_name(country)})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str, country: str) -> str:
    """Show a stored number as ``country`` writes it; a foreign one in international format."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, country.upper() or None)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(parsed) == country.upper():
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
