"""Which language a request gets: menu choice, claim link, purchase country, browser."""

from __future__ import annotations

import typing

import pytest
from django.conf import settings

from rabatt.core.i18n import (
    BROWSER,
    CHOICE,
    COUNTRY,
    LINK,
    LanguageCode,
    LanguagePick,
    browser_languages,
    country_languages,
    language_pick,
    supported_language,
)


def test_api_language_codes_are_the_settings_languages() -> None:
    assert list(typing.get_args(LanguageCode)) == [code for code, _n in settings.LANGUAGES]


def test_menu_names_each_language_in_itself() -> None:
    assert dict(settings.LANGUAGES) == {
        "en": "English", "nb": "Norsk bokmål", "sv": "Svenska", "da": "Dansk", "fi": "Suomi",
        "de": "Deutsch", "fr": "Français", "it": "Italiano", "es": "Español",
        "nl": "Nederlands", "pl": "Polski"}


@pytest.mark.parametrize(("tag", "code"), [
    ("fr-BE", "fr"), ("NO", "nb"), ("nn", "nb"), ("de_CH", "de"), ("pt", None), ("", None),
    (None, None),
])
def test_supported_language(tag: str | None, code: str | None) -> None:
    assert supported_language(tag) == code


def test_country_languages_follow_cldr_and_keep_ours() -> None:
    # CLDR lists German as official in Belgium too (the German-speaking Community).
    assert country_languages("BE") == ("nl", "fr", "de")
    assert country_languages("CH") == ("de", "fr", "it")
    assert country_languages("NO") == ("nb",)
    assert country_languages("US") == ("en",)
    assert country_languages("BR") == ()


def test_browser_languages_in_order_of_quality() -> None:
    assert browser_languages("pt-BR,de;q=0.5,fr-CH;q=0.9,en;q=0.1") == ["fr", "de", "en"]


def test_menu_choice_beats_everything() -> None:
    assert language_pick(choice="pl", link="fr", country="BE", accept_language="nl") == (
        LanguagePick("pl", CHOICE, ("nl", "fr", "de")))


def test_claim_link_beats_country_and_browser() -> None:
    assert language_pick(choice=None, link="fi", country="DE", accept_language="de") == (
        LanguagePick("fi", LINK, ()))


def test_country_beats_browser() -> None:
    assert language_pick(choice=None, link=None, country="SE", accept_language="en") == (
        LanguagePick("sv", COUNTRY, ()))


def test_belgium_takes_the_browsers_language_among_its_own_and_offers_both() -> None:
    assert language_pick(choice=None, link=None, country="BE",
                         accept_language="en;q=1,fr;q=0.8") == LanguagePick("fr", COUNTRY,
                                                                            ("nl", "fr", "de"))
    assert language_pick(choice=None, link=None, country="BE", accept_language="en") == (
        LanguagePick("nl", COUNTRY, ("nl", "fr", "de")))


def test_switzerland_offers_german_french_and_italian() -> None:
    assert language_pick(choice=None, link=None, country="CH", accept_language="it-CH") == (
        LanguagePick("it", COUNTRY, ("de", "fr", "it")))


def test_browser_then_default() -> None:
    assert language_pick(choice="xx", link="", country=None, accept_language="es-MX") == (
        LanguagePick("es", BROWSER, ()))
    assert language_pick(choice=None, link=None, country=None, accept_language="pt") == (
        LanguagePick("en", BROWSER, ()))
