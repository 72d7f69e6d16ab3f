"""Verification against several readings of one page, without OCR: voting, rounding, tables."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from rabatt.receipts.reading import Document, Line, Page, RetailerRef, Word, verify
from rabatt.receipts.reading.document import LINES_ENGINE, Box
from rabatt.receipts.reading.extract import NAMES_ENGINE, retailer_threshold
from rabatt.receipts.reading.pipeline import extract_readings, reread_plan

SHOP = "Kiosken AS"
DAY = date(2018, 5, 3)


def page_doc(*rows: str, confidence: float = 0.9, engine: str = "tesseract") -> Document:
    """Return an OCR-like document with one line per row, 30 px apart."""
    lines = []
    for i, text in enumerate(rows):
        box = Box(0, 10, 40 + 30 * i, 10 + 12 * len(text), 60 + 30 * i)
        lines.append(Line(text, box, confidence, (Word(text, box, confidence),), index=i))
    return Document((Page(0, 600, 100 + 30 * len(rows), tuple(lines)),), "ocr", engine, "x" * 64)


def receipt(*rows: str) -> list[str]:
    """Return a receipt's rows under a header with the shop and the date."""
    return [SHOP.upper(), "Storgata 1, Oslo", "Dato: 03.05.2018 14:32", "1 x Kaffe 60,34", *rows]


def status(docs: list[Document], *, total: str = "60.30", day: date = DAY) -> tuple[str, str]:
    found = verify(extract_readings(docs), retailer=SHOP, date=day, total=Decimal(total))
    return found.date.status, found.total.status


def test_a_digit_misread_in_one_reading_is_outvoted_by_the_others() -> None:
    first = page_doc(*receipt("TOTAL 60.34"))
    others = [page_doc(*receipt("TOTAL 60.30")), page_doc(*receipt("TOTAL 60.30"))]
    assert status([first, *others])[1] == "verified"
    assert status([first, *others], total="60.34")[1] == "mismatch"
    # One reading alone against another is a tie: neither claim is refused for it.
    assert status([first, others[0]], total="60.30")[1] == "verified"


def test_the_amount_must_be_on_a_total_line_in_every_reading() -> None:
    docs = [page_doc(*receipt("TOTAL 60.34")), page_doc(*receipt("CASH 60.30", "TOTAL 60.34"))]
    assert status(docs)[1] == "mismatch"


def test_totals_before_a_rounding_adjustment_do_not_count() -> None:
    rows = receipt("Total Sales Incl GST 60.32", "Rounding Adj -0.02", "RM 60.30", "CASH 70.30")
    assert status([page_doc(*rows)])[1] == "verified"
    assert status([page_doc(*rows)], total="60.32")[1] == "mismatch"
    # No adjustment printed: the total as printed is the one.
    plain = receipt("Total Sales Incl GST 60.32", "Rounding Adj 0.00", "CASH 70.30")
    assert status([page_doc(*plain)], total="60.32")[1] == "verified"


def test_rows_of_a_tax_table_are_not_totals() -> None:
    rows = receipt(
        "Total Sales (Inclusive of GST) : 101.76",
        "TotalGST : 5.76",
        "GST Summary Amount(RM) Tax(RM)",
        "SR 6% 96.00 5.76",
        "Total : 96.00 5.76",
    )
    assert status([page_doc(*rows)], total="101.76")[1] == "verified"
    assert status([page_doc(*rows)], total="5.76")[1] == "mismatch"
    assert status([page_doc(*rows)], total="96.00")[1] == "mismatch"
    # The tax column misread: the row's one amount is still the net, not a total.
    lost = [r.replace("Total : 96.00 5.76", "Total : 96.00 §.76") for r in rows]
    assert status([page_doc(*lost)], total="96.00")[1] == "mismatch"


def test_a_total_before_rounding_plus_the_adjustment_is_the_amount_due() -> None:
    rows = receipt("Total (Inclusive of GST): 31.02", "Rounding Adj: -0.02", "CASH : 50.00")
    assert status([page_doc(*rows)], total="31.00")[1] == "verified"
    assert status([page_doc(*rows)], total="31.02")[1] == "mismatch"
    # An unsigned adjustment takes the sign that ends on a multiple of 0.05.
    unsigned = [r.replace("-0.02", "0.02") for r in rows]
    assert status([page_doc(*unsigned)], total="31.00")[1] == "verified"
    assert status([page_doc(*unsigned)], total="31.04")[1] == "mismatch"


def test_a_rounding_line_holding_the_rounded_amount_counts() -> None:
    rows = receipt(
        "Total Sales (Inclusive GST) RM 52.08", "Rounding Adjustment RM .02", "Rounding RM 52.10"
    )
    assert status([page_doc(*rows)], total="52.10")[1] == "verified"
    assert status([page_doc(*rows)], total="52.08")[1] == "mismatch"


def test_two_labels_on_one_line_the_last_total_counts() -> None:
    rows = receipt("TOTAL SAVING: 0.00 TOTAL 60.30")
    assert status([page_doc(*rows)])[1] == "verified"
    assert status([page_doc(*receipt("TOTAL SAVING: 60.30"))])[1] != "verified"


def test_a_decimal_point_lost_at_the_end_of_a_total_line() -> None:
    assert status([page_doc(*receipt("Grand Total RM60 30"))])[1] == "verified"


def test_a_total_label_read_with_one_letter_wrong_still_counts() -> None:
    assert status([page_doc(*receipt("Tatal Sales (Inclusive ofGST) 60.30"))])[1] == "verified"
    assert status([page_doc(*receipt("Total inel. of GST 60.30"))])[1] == "verified"


def test_a_date_misread_in_one_reading_is_outvoted() -> None:
    wrong = page_doc(*[r.replace("03.05", "04.05") for r in receipt("TOTAL 60.30")])
    right = page_doc(*receipt("TOTAL 60.30"))
    assert status([wrong, right, right])[0] == "verified"
    assert status([wrong, right, right], day=date(2018, 5, 4))[0] == "mismatch"


def test_an_impossible_date_part_one_digit_off_the_claim_verifies() -> None:
    rows = [r.replace("03.05.2018", "63/05/2018") for r in receipt("TOTAL 60.30")]
    assert status([page_doc(*rows)])[0] == "verified"
    # A neighbouring day, a swapped day and month, or another real year never pass.
    for other in (date(2018, 5, 4), date(2018, 5, 2), date(2018, 3, 5), date(2017, 5, 3)):
        assert status([page_doc(*rows)], day=other)[0] != "verified"
    future = [r.replace("03.05.2018", "03/05/2048") for r in receipt("TOTAL 60.30")]
    assert status([page_doc(*future)])[0] == "verified"
    assert status([page_doc(*future)], day=date(2017, 5, 3))[0] != "verified"


def test_retailer_names_match_through_ocr_letter_and_digit_swaps() -> None:
    doc = page_doc("MR. D.1.¥.(KUCHAI) SDN BHD", "LOT 1851-A, JALAN KPB 6", "16-03-18 TOTAL 5.30")
    found = extract_readings([doc], retailers=[RetailerRef("MR. D.I.Y. (KUCHAI) SDN BHD")])
    assert found.retailer.value is not None
    other = verify(found, retailer="MR. TOY", date=date(2018, 3, 16), total=Decimal("5.30"))
    assert other.retailer.status == "mismatch"


def test_evidence_names_its_page() -> None:
    doc = page_doc(*receipt("TOTAL 60.30"))
    result = verify(extract_readings([doc]), retailer=SHOP, date=DAY, total=Decimal("60.30"))
    evidence = result.as_dict()["total"]["evidence"]
    assert evidence["page"] == 0
    assert evidence["box"][0] == 0
    assert len(evidence["box"]) == 5
    assert doc.pages[evidence["page"]].width == 600


def test_an_impossible_day_is_not_used_where_another_reading_read_a_real_one() -> None:
    misread = page_doc(*[r.replace("03.05.2018", "38/05/2018") for r in receipt("TOTAL 60.30")])
    right = page_doc(*[r.replace("03.05.2018", "30/05/2018") for r in receipt("TOTAL 60.30")])
    assert status([misread, right], day=date(2018, 5, 30))[0] == "verified"
    assert status([misread, right], day=date(2018, 5, 31))[0] == "mismatch"


def test_a_time_beside_the_date_is_no_rival_to_it() -> None:
    both = page_doc(*[r.replace("03.05.2018 14:32", "03/05/2018 20-09-40") for r in receipt()])
    time_only = page_doc(*[r.replace("03.05.2018 14:32", "0315/2018 20-09-40") for r in receipt()])
    docs = [both, both, time_only, time_only]
    assert status(docs, total="60.34")[0] == "verified"


def test_an_impossible_month_that_alone_made_the_receipt_month_first() -> None:
    rows = [r.replace("Dato: 03.05.2018", "Dato: 03-15-18") for r in receipt("TOTAL 60.30")]
    assert status([page_doc(*rows)])[0] == "verified"
    assert status([page_doc(*rows)], day=date(2018, 5, 4))[0] != "verified"
    # Another date on the receipt that can only be month-first keeps the order month-first.
    us = [*rows, "Return by 12/31/2018"]
    assert status([page_doc(*us)])[0] != "verified"


def test_cash_tendered_minus_change_is_the_total_when_no_total_line_is_read() -> None:
    rows = receipt("-—— ——— MLO . 30", "Cash RM70.00", "Change RM9.70")
    docs = [page_doc(*rows), page_doc(*rows)]
    assert status(docs)[1] == "verified"
    for wrong in ("60.29", "60.31", "70.00", "9.70", "66.33"):
        assert status(docs, total=wrong)[1] != "verified"
    # A misread total line does not stand in the way of what was paid.
    misread = receipt("TOTAL 60.36", "CASH 70.00", "CHANGE 9.70")
    assert status([page_doc(*misread), page_doc(*misread)])[1] == "verified"


def test_cash_without_a_change_line_says_nothing() -> None:
    rows = receipt("-—— ——— MLO . 30", "CASH 60.30")
    assert status([page_doc(*rows), page_doc(*rows)])[1] != "verified"
    # "CASH CHANGE" is the change, not cash handed over.
    change = receipt("-—— ——— MLO . 30", "CASH CHANGE 60.30", "CHANGE 0.00")
    assert status([page_doc(*change), page_doc(*change)])[1] != "verified"


def test_a_card_charge_is_the_total_when_it_is_the_only_payment() -> None:
    rows = receipt("-—— ——— MLO . 30", "VISA 60.30")
    assert status([page_doc(*rows), page_doc(*rows)])[1] == "verified"
    # Paid partly by card: the card part is not the total.
    split = receipt("-—— ——— MLO . 30", "GIFT CARD 20.00", "VISA 40.30")
    assert status([page_doc(*split), page_doc(*split)], total="40.30")[1] != "verified"


def test_a_payment_must_be_read_so_in_two_readings() -> None:
    rows = receipt("-—— ——— MLO . 30", "Cash RM70.00", "Change RM9.70")
    one = page_doc(*rows)
    assert status([one])[1] != "verified"
    # A reading of key lines that copies the first reading's payment lines is no second reading.
    copy = dataclasses.replace(one, engine=f"tesseract{LINES_ENGINE}")
    assert status([one, copy])[1] != "verified"
    # Two readings that disagree on the change: the claim needs the vote.
    other = page_doc(*[r.replace("9.70", "9.79") for r in rows])
    assert status([one, other, other])[1] != "verified"


def test_long_names_allow_more_misread_letters_short_ones_do_not() -> None:
    long_name = "GARDENIA BAKERIES MALAYSIA SDN BHD"
    assert retailer_threshold(RetailerRef(long_name)) < retailer_threshold(RetailerRef("Kiosken"))
    day, total = date(2018, 5, 3), Decimal("1.00")

    def check(header: str, name: str) -> str:
        doc = page_doc(header, "Lot 3, Jalan 23/1", "03.05.2018")
        return verify(extract_readings([doc]), retailer=name, date=day, total=total).retailer.status

    # Four letters misread in 24: 85 of 100.
    assert check("GAKDENIA BAREEIES MALAYSLA SDN BHD", long_name) == "verified"
    # The same share of letters wrong in a shorter name may be another shop.
    assert check("GAKDENIA CAPE", "GARDENIA CAFE") != "verified"
    assert check("GARDENIA CAFE", "GARDENIA CAFE") == "verified"


def test_the_shops_name_is_read_again_with_the_key_lines() -> None:
    doc = page_doc("~ :", "KIOSKEN AS", "Storgata 1, Oslo", "Dato: 03.05.2018", "TOTAL 60.30")
    plan = reread_plan([doc], languages="nor+eng", standard="/std")
    assert [(p[0], p[1], p[2]) for p in plan] == [
        ("nor+eng", None, 40.0),
        ("nor+eng", None, 56.0),
        ("eng", "/std", 40.0),
        ("eng", "/std", 56.0),
    ]
    texts = [[line.text for line in p[3]] for p in plan]
    assert all("TOTAL 60.30" in t for t in texts)
    # The name lines once, by the standard model (or the only one) at the smaller height.
    assert [("KIOSKEN AS" in t, "Storgata 1, Oslo" in t) for t in texts] == [
        (False, False),
        (False, False),
        (True, True),
        (False, False),
    ]
    assert not any("~ :" in t for t in texts)
    only = reread_plan([doc], languages="nor+eng", standard=None)
    assert ["KIOSKEN AS" in [ln.text for ln in p[3]] for p in only] == [True, False]
    # A name read right only in a reading of key lines verifies.
    misread = page_doc("KL0SXEN", "Storgata 1, Oslo", "Dato: 03.05.2018", "TOTAL 60.30")
    right = page_doc("KIOSKEN", "Storgata 1, Oslo", "Dato: 03.05.2018", "TOTAL 60.30")
    names = dataclasses.replace(right, engine=f"tesseract{LINES_ENGINE}{NAMES_ENGINE}")
    assert status_retailer([misread]) != "verified"
    assert status_retailer([misread, names]) == "verified"
    # A reading of total and date lines only is not asked about the header.
    lines = dataclasses.replace(right, engine=f"tesseract{LINES_ENGINE}")
    assert status_retailer([misread, lines]) != "verified"


def status_retailer(docs: list[Document]) -> str:
    found = verify(extract_readings(docs), retailer=SHOP, date=DAY, total=Decimal("60.30"))
    return found.retailer.status
