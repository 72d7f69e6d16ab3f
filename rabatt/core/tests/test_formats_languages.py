"""Amounts and dates in each of the eleven languages follow CLDR (through Babel)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings

from rabatt.core import formats

NBSP, NNBSP = "\xa0", "\u202f"
AT = datetime(2019, 8, 1, 12, tzinfo=UTC)
EXPECTED = {
    "en": ("€1,748.50", "August 1, 2019", f"Aug 1, 2019 2:00{NNBSP}PM (CEST)"),
    "nb": (f"1{NBSP}748,50{NBSP}€", "1. august 2019", "1. aug. 2019 14:00 (CEST)"),
    "sv": (f"1{NBSP}748,50{NBSP}€", "1 augusti 2019", "1 aug. 2019 14:00 (CEST)"),
    "da": (f"1.748,50{NBSP}€", "1. august 2019", "1. aug. 2019 14.00 (CEST)"),
    "fi": (f"1{NBSP}748,50{NBSP}€", "1. elokuuta 2019", "1.8.2019 14.00 (CEST)"),
    "de": (f"1.748,50{NBSP}€", "1. August 2019", "01.08.2019 14:00 (CEST)"),
    "fr": (f"1{NNBSP}748,50{NBSP}€", "1 août 2019", "1 août 2019 14:00 (CEST)"),
    "it": (f"1.748,50{NBSP}€", "1 agosto 2019", "1 ago 2019 14:00 (CEST)"),
    "es": (f"1.748,50{NBSP}€", "1 de agosto de 2019", "1 ago 2019 14:00 (CEST)"),
    "nl": (f"€{NBSP}1.748,50", "1 augustus 2019", "1 aug 2019 14:00 (CEST)"),
    "pl": (f"1{NBSP}748,50{NBSP}€", "1 sierpnia 2019", "1 sie 2019 14:00 (CEST)"),
}


def test_every_language_is_covered() -> None:
    assert set(EXPECTED) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("language", list(EXPECTED))
def test_amount_date_and_time_in_each_language(language: str) -> None:
    money, day, moment = EXPECTED[language]
    assert formats.money(Decimal("1748.5"), "EUR", language) == money
    assert formats.local_date(AT, language=language) == day
    assert formats.local_datetime(AT, formats.country_zone("DE"), language) == moment


@pytest.mark.parametrize("typed", ["1.748,50", "1 748,50", "1,748.50", "1748,5", "€1.748,50"])
def test_prices_typed_in_any_of_these_conventions_are_read(typed: str) -> None:
    assert formats.parse_price(typed) == Decimal("1748.50")
