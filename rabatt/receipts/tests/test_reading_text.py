"""Amount, date and total-label parsing, without OCR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rabatt.receipts.reading.extract import _total_rank
from rabatt.receipts.reading.text import (
    find_amounts,
    fold,
    normalise_name,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("TOTALT NOK 1 234,56", Decimal("1234.56")),
        ("SUMME EUR 1.234,56", Decimal("1234.56")),
        ("TOTAL $1,234.56", Decimal("1234.56")),
        ("Å betale 499,-", Decimal("499.00")),
        ("TOTAL AMT RM60.30", Decimal("60.30")),
        ("62483 2 100.00", Decimal("100.00")),
        ("Total 6O.3O", Decimal("60.30")),
    ],
)
def test_amounts_in_local_formats(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


def test_quantity_is_not_read_as_thousands() -> None:
    assert [a for a, _, _ in find_amounts("1 10.00 10.00")] == [Decimal("10.00"), Decimal("10.00")]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Dato: 15.03.2025 14:32", date(2025, 3, 15)),
        ("5. mars 2024", date(2024, 3, 5)),
        ("5 januari 2024", date(2024, 1, 5)),
        ("5. marts 2024", date(2024, 3, 5)),
        ("5. März 2024", date(2024, 3, 5)),
        ("Datum 2024-03-05", date(2024, 3, 5)),
        ("05/03/2024", date(2024, 3, 5)),
        ("05-03-24", date(2024, 3, 5)),
        ("25 Dec 2018", date(2018, 12, 25)),
        ("19-Oct-2018", date(2018, 10, 19)),
        ("20180304", date(2018, 3, 4)),
    ],
)
def test_dates_in_local_formats(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_month_first_when_told() -> None:
    assert parse_date("03/05/2024", day_first=False) == date(2024, 3, 5)
    assert parse_date("March 5, 2024") == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("label", "rank"),
    [
        ("TOTALT NOK 1 234,00", 1),
        ("Å BETALE 499,00", 2),
        ("ATT BETALA 99,00", 2),
        ("I ALT 250,00", 1),
        ("SUMME EUR 10,00", 1),
        ("GESAMT 10,00", 1),
        ("Total Sales (Inclusive of GST) : 94.87", 1),
        ("Total inkl. moms 100,00", 1),
        ("Subtotal 80.00", 0),
        ("Sub-Total 80.00", 0),
        ("Zwischensumme 8,40", 0),
        ("Sum eks. mva 80,00", 0),
        ("Herav MVA 25 % 20,00", 0),
        ("Varav moms 20,00", 0),
        ("MwSt 19 % 1,60", 0),
        ("Total GST 5.37", 0),
        ("VAT 20 % 16.67", 0),
        ("Change 0.00", 0),
        ("Cash 100.00", 0),
        ("Total Qty 2", 0),
        ("Rounding 0.02", 0),
        ("Netto 8,40", 0),
        ("Veksel 20,00", 0),
    ],
)
def test_total_labels(label: str, rank: int) -> None:
    assert _total_rank(fold(label)) == rank


def test_names_are_folded_without_legal_form() -> None:
    assert normalise_name("Elkjøp Norge AS") == "elkjop"
    assert normalise_name("MR.D.I.Y(M)SDN BHD") == normalise_name("MR. D.I.Y. (M) SDN. BHD.")
