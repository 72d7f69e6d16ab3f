"""Languages: which one a request gets, and names of countries and currencies in it (CLDR)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from babel.core import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


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


# The codes of settings.LANGUAGES, for API schemas (a test keeps the two the same).
LanguageCode = Literal["en", "nb", "sv", "da", "fi", "de", "fr", "it", "es", "nl", "pl"]


def language_code_clean(value: Any) -> Any:
    """Turn a tag like ``fr-BE`` or ``no`` into our code; leave anything else to validation."""
    if isinstance(value, str):
        return supported_language(value) or value.split("-")[0].lower()
    return value


def active_language() -> str:
    """Return the code of the language active now (one of settings.LANGUAGES)."""
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE


# Where the language of a request came from, strongest first (docs/i18n.md).
CHOICE, LINK, COUNTRY, BROWSER = "choice", "link", "country", "browser"
# Session keys: the language a claim's link carried, and the language of the purchase country.
SESSION_LINK = "rabatt_link_language"
SESSION_COUNTRY = "rabatt_country_language"
# Babel names Norwegian "no" as well as "nb"; our Norwegian is Bokmål.
_ALIASES = {"no": "nb", "nn": "nb"}


def purchase_country_remember(session: Any, country: str) -> None:
    """Let the country of purchase chosen in the claim wizard set the visit's language.

    It ranks below the menu choice and a claim's link, above ``Accept-Language``.
    """
    country = country.strip().upper()
    if country_languages(country):
        session[SESSION_COUNTRY] = country


def language_codes() -> list[str]:
    """Return the codes of every language the site speaks, English first."""
    return [code for code, _name in settings.LANGUAGES]


def supported_language(value: str | None) -> str | None:
    """Return our code for a language tag like ``fr-BE`` or ``NO``, or None if we lack it."""
    if not value:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in language_codes() else None


@cache
def country_languages(country: str) -> tuple[str, ...]:
    """Return our languages spoken officially in a country, the most widely spoken first."""
    found: list[str] = []
    for language in get_official_languages(country.upper(), de_facto=True):
        code = supported_language(language)
        if code and code not in found:
            found.append(code)
    return tuple(found)


def browser_languages(accept_language: str) -> list[str]:
    """Return our languages named in an Accept-Language header, best first."""
    found: list[str] = []
    for tag, _quality in parse_accept_lang_header(accept_language[:1000]):
        code = supported_language(tag)
        if code and code not in found:
            found.append(code)
    return found


@dataclass(frozen=True)
class LanguagePick:
    """The language of a request, where it came from, and the languages of the country."""

    language: str
    source: str
    country_choices: tuple[str, ...] = ()


def language_pick(*, choice: str | None, link: str | None, country: str | None,
                  accept_language: str) -> LanguagePick:
    """Pick the language: menu choice, then a claim's link, then the country, then browser.

    A country with several of our languages (Belgium, Switzerland, Finland, Canada) takes the
    one the browser prefers among them, else its most spoken, and offers the others.
    """
    browser = browser_languages(accept_language)
    choices = country_languages(country) if country else ()
    offered = choices if len(choices) > 1 else ()
    if chosen := supported_language(choice):
        return LanguagePick(chosen, CHOICE, offered)
    if linked := supported_language(link):
        return LanguagePick(linked, LINK, offered)
    if choices:
        preferred = next((code for code in browser if code in choices), choices[0])
        return LanguagePick(preferred, COUNTRY, offered)
    return LanguagePick(browser[0] if browser else settings.LANGUAGE_CODE, BROWSER)


def language_name(code: str) -> str:
    """Return a language's name in that language, as the language menu shows it."""
    return dict(settings.LANGUAGES).get(code, code)
