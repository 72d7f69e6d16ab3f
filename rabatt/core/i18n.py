"""Names of countries and currencies in the active language (from Babel's CLDR data)."""

from __future__ import annotations

from functools import cache

from babel.core import Locale, UnknownLocaleError
from django.utils import translation


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def active_locale() -> Locale:
    return _locale(translation.get_language() or "en")


def country_name(code: str, language: str | None = None) -> str:
    """Return the country's name, or the code itself when unknown."""
    locale = _locale(language) if language else active_locale()
    return locale.territories.get(code.upper(), code)


def currency_name(code: str, language: str | None = None) -> str:
    locale = _locale(language) if language else active_locale()
    return locale.currencies.get(code.upper(), code)
