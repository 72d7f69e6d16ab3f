"""Amount, date and total-label parsing, without OCR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rabatt.receipts.reading.extract import _total_rank
from rabatt.receipts.reading.text import (
    find_amounts,
    find_dates,
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
        ("5. Dez. 2026", date(2026, 12, 5)),
        ("05 déc. 2026", date(2026, 12, 5)),
        ("5 grudnia 2026", date(2026, 12, 5)),
        ("Datum: 051226", date(2026, 12, 5)),
        ("051226 14:32", date(2026, 12, 5)),
        ("2026-12-1719:05:48 #5658", date(2026, 12, 17)),
        ("2026-12-0519:05", date(2026, 12, 5)),
        ("10:4505/11/2026 #3447", date(2026, 11, 5)),
        ("12:3405.11.2026", date(2026, 11, 5)),
    ],
)
def test_dates_in_local_formats(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_month_first_when_told() -> None:
    assert parse_date("03/05/2024", day_first=False) == date(2024, 3, 5)
    assert parse_date("March 5, 2024") == date(2024, 3, 5)


def test_the_minutes_of_a_time_are_no_day() -> None:
    assert [d for d, *_ in find_dates("19:17 Dec 21, 2026")] == [date(2026, 12, 21)]


def test_six_digits_are_a_date_only_beside_a_date_label_or_a_time() -> None:
    assert [d for d, *_ in find_dates("Datum 261115", year_first=True)] == [date(2026, 11, 15)]
    assert [d for d, *_ in find_dates("261115 18:13 Kasse 4", year_first=True)] == [
        date(2026, 11, 15)
    ]
    assert [d for d, *_ in find_dates("08:17 261214 #4070", year_first=True)] == [
        date(2026, 12, 14)
    ]
    for text in ("Kvitto 261115", "ref 261115", "Org 518323450", "12261115 18:13"):
        assert find_dates(text, year_first=True) == [], text


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
        ("Zahlbetrag 750,16", 2),
        ("Zahibetrag 750,16", 2),
        ("Gesamtsumme 99,00", 2),
        ("Montant à payer 2.022,62", 2),
        ("Montant payer 2.022,62", 2),
        ("Total à régler 19,90", 2),
        ("Amount paid 2341.38 GBP", 2),
        ("Do zapłaty 2.759,54", 2),
        ("Do zaptaty 2.759,54", 2),
        ("Należność 12,00", 2),
        ("Da pagare 10,00", 2),
        ("Samlet beløb 100,00", 2),
        ("Importo 10,00", 1),
        ("Montant HT 80,00", 0),
        ("TotalHT 1748,23", 0),
        ("Zanlbetrag 1.115,42", 2),
        ("Gesamtsunme 99,00", 2),
        ("Zwischensumme 99,00", 0),
        ("Totalexcl. VAT 80.00", 0),
        ("Montant TVA 20,00", 0),
    ],
)
def test_total_labels(label: str, rank: int) -> None:
    assert _total_rank(fold(label)) == rank


def test_names_are_folded_without_legal_form() -> None:
    assert normalise_name("Elkjøp Norge AS") == "elkjop"
    assert normalise_name("MR.D.I.Y(M)SDN BHD") == normalise_name("MR. D.I.Y. (M) SDN. BHD.")
