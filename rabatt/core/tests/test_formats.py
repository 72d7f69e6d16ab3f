"""Money, prices, times and bank numbers for people, per participating country."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from rabatt.core.formats import (
    PriceError,
    country_zone,
    iban_grouped,
    local_date,
    local_datetime,
    money,
    number,
    parse_price,
    zone_named,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(("typed", "expected"), [
    ("4 990,00", "4990.00"),        # nb, sv, fi, pl, fr: space groups, comma decimals
    (f"4{NBSP}990,00", "4990.00"),  # the same with a no-break space (copied from a page)
    ("4.990,00", "4990.00"),        # de, da, nl, it, es
    ("4,990.00", "4990.00"),        # en (GB, IE, US, CA, AU)
    ("1'299.50", "1299.50"),        # de-CH
    ("£399.00", "399.00"),
    ("€ 1.299,5", "1299.5"),
    ("399,-", "399"),               # Nordic "whole kroner"
    ("399.-", "399"),               # Swiss "whole francs"
    ("kr 4 990", "4990"),
    ("4990 NOK", "4990"),
    ("645 zł", "645"),
    ("4.990", "4990"),              # three digits after one separator: thousands
    ("4,99", "4.99"),
    ("+149", "149"),
])
def test_prices_are_read_as_people_type_them(typed, expected):
    assert parse_price(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["", "abc", "4 99 0", "12,3456", "-5", "4990,00,00",
                                   "1.2.3"])
def test_text_that_is_not_a_price_is_refused(typed):
    with pytest.raises(PriceError):
        parse_price(typed)


@pytest.mark.parametrize(("language", "currency", "amount", "expected"), [
    ("nb", "NOK", "748.5", f"748,50{NBSP}kr"),
    ("en", "NOK", "748.5", f"NOK{NBSP}748.50"),
    ("en", "GBP", "135", "£135.00"),
    ("de", "EUR", "150", f"150,00{NBSP}€"),
    ("da", "DKK", "1125", f"1.125,00{NBSP}kr."),
    ("sv", "SEK", "1600", f"1{NBSP}600,00{NBSP}kr"),
    ("pl", "PLN", "645", f"645,00{NBSP}zł"),
    ("fr", "EUR", "59.85", f"59,85{NBSP}€"),
])
def test_money_has_its_currency_and_minor_units_in_the_viewers_language(language, currency,
                                                                        amount, expected):
    assert money(Decimal(amount), currency, language).replace("\u202f", NBSP) == expected


def test_amounts_round_half_up_to_the_minor_unit():
    assert money(Decimal("59.845"), "EUR", "en") == "€59.85"
    assert number("2952", "NOK", "en") == "2,952.00"
    assert number("59.8500000000000", "EUR", "de") == "59,85"


@pytest.mark.parametrize(("country", "language", "expected"), [
    ("NO", "nb", "25. juli 2019 16:03 (CEST)"),
    ("GB", "en", "Jul 25, 2019 3:03\u202fPM (BST)"),
    ("FI", "fi", "25.7.2019 17.03 (EEST)"),
    ("US", "en", "Jul 25, 2019 10:03\u202fAM (EDT)"),
    ("AU", "en", "Jul 26, 2019 12:03\u202fAM (AEST)"),
])
def test_times_are_shown_in_the_countrys_zone_with_the_zone_named(country, language,
                                                                  expected):
    at = datetime(2019, 7, 25, 14, 3, tzinfo=UTC)
    assert local_datetime(at, country_zone(country), language) == expected


def test_a_date_crosses_midnight_in_the_countrys_zone():
    late = datetime(2019, 8, 10, 23, 30, tzinfo=UTC)
    assert local_date(late, country_zone("NO"), "en") == "August 11, 2019"
    assert local_date(late, zone_named("UTC"), "en") == "August 10, 2019"
    assert zone_named("Not/AZone") == zone_named("UTC")


def test_ibans_are_grouped_by_four():
    assert iban_grouped("no9386011117947") == "NO93 8601 1117 947"
    assert iban_grouped("DE89 3704 0044 0532 0130 00") == "DE89 3704 0044 0532 0130 00"


def test_template_filters_follow_the_active_language():
    template = Template("{% load formats %}{{ amount|money:'NOK' }} | {{ iban|iban }} | "
                        "{% local_time at country='NO' %}")
    context = Context({"amount": Decimal("748.50"), "iban": "NO9386011117947",
                       "at": datetime(2019, 7, 25, 14, 3, tzinfo=UTC)})
    with translation.override("nb"):
        assert template.render(context) == \
            f"748,50{NBSP}kr | NO93 8601 1117 947 | 25. juli 2019 16:03 (CEST)"


def test_the_active_language_is_read_at_each_call_not_cached():
    from django.utils import translation

    from rabatt.core.formats import money

    with translation.override("nb"):
        norwegian = money("748.50", "NOK")
    with translation.override("en"):
        english = money("748.50", "NOK")
    assert (norwegian, english) == ("748,50\u00a0kr", "NOK\u00a0748.50")
