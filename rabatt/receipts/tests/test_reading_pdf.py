"""Born-digital receipt PDFs in five languages: every field, and every wrong claim."""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from rabatt.receipts.reading import (
    Document,
    ProductRef,
    RetailerRef,
    extract,
    read_document,
    verify,
)
from rabatt.receipts.tests.receiptgen import (
    LANGUAGES,
    ReceiptSpec,
    make_spec,
    render_pdf,
    with_rounding,
)

CENT = Decimal("0.01")


@functools.cache
def pdf_receipt(language: str, shop: int = 0) -> tuple[ReceiptSpec, bytes]:
    """Return a generated PDF receipt, made once per test session."""
    spec = make_spec(500 + shop, language, shop=shop)
    path = render_pdf(spec, Path(tempfile.mkdtemp(prefix="rabatt-receipts-")) / "r.pdf")
    return spec, path.read_bytes()


@functools.cache
def pdf_document(language: str, shop: int = 0) -> Document:
    """Return the generated PDF's text layer, read once per test session."""
    return read_document(pdf_receipt(language, shop)[1], content_type="application/pdf")


CASES = [(lang, 0) for lang in LANGUAGES] + [("nb", 1), ("sv", 1), ("en", 2), ("en", 3)]


@pytest.mark.parametrize(("language", "shop"), CASES)
def test_every_field_is_read_from_the_text_layer(language: str, shop: int) -> None:
    spec, _ = pdf_receipt(language, shop)
    doc = pdf_document(language, shop)
    assert doc.source == "pdf-text"
    found = extract(
        doc,
        retailers=[RetailerRef(spec.retailer)],
        products=[ProductRef(name) for name, _, _ in spec.items],
        currency_hint=spec.currency,
    )
    assert found.retailer.value == RetailerRef(spec.retailer)
    assert found.date.value == spec.purchase_date
    assert found.total.value == spec.total
    assert found.currency.value == spec.currency
    assert found.receipt_number.value == spec.receipt_number
    assert {m.product.name for m in found.products} == {name for name, _, _ in spec.items}
    assert found.total.line is not None
    assert str(spec.total).replace(".", ",")[-3:] in found.total.line.text.replace(".", ",")


@pytest.mark.parametrize(("language", "shop"), CASES)
def test_true_claim_verifies_with_evidence(language: str, shop: int) -> None:
    spec, _ = pdf_receipt(language, shop)
    doc = pdf_document(language, shop)
    result = verify(
        doc,
        retailer=spec.retailer,
        date=spec.purchase_date,
        total=spec.total,
        currency=spec.currency,
    )
    out = result.as_dict()
    assert {k: v["status"] for k, v in out.items()} == {
        "retailer": "verified",
        "date": "verified",
        "total": "verified",
        "currency": "verified",
    }
    assert result.auto_approvable
    assert out["total"]["evidence"]["box"][0] == 0


@pytest.mark.parametrize(("language", "shop"), CASES)
def test_wrong_totals_do_not_verify(language: str, shop: int) -> None:
    spec, _ = pdf_receipt(language, shop)
    other, _ = pdf_receipt(language, (shop + 1) % 2)
    found = extract(pdf_document(language, shop))
    wrong = [
        spec.total + CENT,
        spec.total - CENT,
        (spec.total * Decimal("1.1")).quantize(CENT),
        (spec.total * Decimal("0.9")).quantize(CENT),
        spec.subtotal,
        spec.vat,
        other.total,
    ]
    for total in wrong:
        result = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=total)
        assert result.total.status == "mismatch", total


@pytest.mark.parametrize(("language", "shop"), CASES)
def test_wrong_dates_and_shops_do_not_verify(language: str, shop: int) -> None:
    spec, _ = pdf_receipt(language, shop)
    found = extract(pdf_document(language, shop), currency_hint=spec.currency)
    day = spec.purchase_date
    wrong_days = [day + timedelta(days=1), day - timedelta(days=1)]
    if day.day <= 12 and day.day != day.month:
        wrong_days.append(day.replace(day=day.month, month=day.day))
    for wrong in wrong_days:
        assert (
            verify(found, retailer=spec.retailer, date=wrong, total=spec.total).date.status
            == "mismatch"
        )
    for other in ("MediaMarkt", "Elgiganten", "John Lewis", "JB Hi-Fi", "Power", "Best Buy"):
        if other.casefold() != spec.retailer.casefold():
            result = verify(found, retailer=other, date=day, total=spec.total)
            assert result.retailer.status == "mismatch", other


def test_shop_from_a_list_with_aliases() -> None:
    shops = [RetailerRef("Power", key=1), RetailerRef("Elkjop Lørenskog", ("Elkjøp",), key=2)]
    found = extract(pdf_document("nb", 0), retailers=shops)
    assert found.retailer.value is not None
    assert found.retailer.value.key == 2


def test_return_by_date_is_not_the_purchase_date() -> None:
    spec = make_spec(77, "nb", shop=0)
    spec = spec.__class__(**{**spec.__dict__, "return_date": True})
    path = render_pdf(spec, Path(tempfile.mkdtemp(prefix="rabatt-receipts-")) / "r.pdf")
    found = extract(read_document(path.read_bytes(), content_type="application/pdf"))
    back = spec.purchase_date + timedelta(days=30)
    assert (
        verify(found, retailer=spec.retailer, date=back, total=spec.total).date.status == "mismatch"
    )


def test_not_a_receipt_is_unsupported() -> None:
    from rabatt.receipts.reading import UnsupportedDocument

    with pytest.raises(UnsupportedDocument):
        read_document(b"hello", content_type="text/plain")


@pytest.mark.parametrize("language", ["nb", "sv", "da", "de", "en"])
def test_cash_rounding_the_amount_due_verifies_and_the_total_before_it_does_not(
    tmp_path: Path, language: str
) -> None:
    spec = with_rounding(make_spec(77, language))
    found = extract(read_document(render_pdf(spec, tmp_path / "r.pdf").read_bytes()))
    assert found.total.value == spec.total
    ok = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=spec.total)
    assert ok.total.status == "verified"
    before = verify(
        found, retailer=spec.retailer, date=spec.purchase_date, total=spec.total - spec.rounding
    )
    assert before.total.status == "mismatch"


@pytest.mark.parametrize("language", ["nb", "sv", "da", "de", "en"])
def test_the_total_row_of_a_vat_table_is_not_the_amount_paid(
    tmp_path: Path, language: str
) -> None:
    spec = dataclasses.replace(make_spec(78, language), tax_table=True)
    found = extract(read_document(render_pdf(spec, tmp_path / "t.pdf").read_bytes()))
    ok = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=spec.total)
    assert ok.total.status == "verified"
    net = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=spec.subtotal)
    assert net.total.status == "mismatch"
