"""Every participating country's receipt formats: dates, amounts, total and tax labels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rabatt.receipts.reading.extract import _CARD, _CASH, _CHANGE, total_label
from rabatt.receipts.reading.text import find_amounts, find_dates, fold
from rabatt.receipts.tests.devset import COUNTRIES, Country, local_date, make, money, render

DAYS = (date(2019, 7, 20), date(2024, 3, 5), date(2020, 12, 31), date(2021, 11, 9))


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.code)
def test_every_date_format_of_a_country_parses(country: Country) -> None:
    for pattern in country.dates:
        for day in DAYS:
            text = f"{country.date_label}: {local_date(day, country, pattern)} 14:02"
            found = find_dates(
                text, day_first=country.code != "US", year_first=country.code == "SE"
            )
            assert found, text
            assert found[0][0] == day, text


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.code)
def test_amounts_in_local_format_parse(country: Country) -> None:
    for value in (Decimal("7.50"), Decimal("1234.56"), Decimal("12999.00")):
        assert find_amounts(f"{country.totals[0]} {money(value, country)}")[-1][0] == value


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.code)
def test_total_labels_are_totals_and_subtotal_and_tax_are_not(country: Country) -> None:
    for label in country.totals:
        assert total_label(fold(f"{label} 12,50")) == 2, label
    assert total_label(fold(f"{country.subtotal} 10,00")) != 2
    assert total_label(fold(f"{country.vat} 25% 2,50")) != 2
    assert total_label(fold(f"{country.change} 0,00")) != 2


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.code)
def test_payment_words_are_known(country: Country) -> None:
    assert _CARD.search(fold(country.card)), country.card
    assert _CASH.search(fold(country.cash)), country.cash
    assert _CHANGE.search(fold(country.change)), country.change


def test_ocr_letters_are_digits_only_inside_numbers() -> None:
    assert find_amounts("TOTAL 1O5,5O")[-1][0] == Decimal("105.50")
    assert find_amounts("SUMME 2I,9O")[-1][0] == Decimal("21.90")
    assert not find_amounts("TOTAL SOLD OUT")


def test_the_development_receipts_are_the_same_on_every_run() -> None:
    one, two = make(20300), make(20300)
    assert one == two
    assert render(one)[0] == render(two)[0]
    assert make(20301) != one
