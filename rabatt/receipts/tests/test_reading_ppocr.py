"""PP-OCR through ONNX Runtime on a handful of project-made receipts."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from rabatt.receipts.reading import DocumentError, RetailerRef, ppocr, verify
from rabatt.receipts.reading.extract import Extraction
from rabatt.receipts.reading.pipeline import read_receipt
from rabatt.receipts.reading.verify import Thresholds
from rabatt.receipts.tests.devset import Receipt, make, render

pytestmark = pytest.mark.skipif(
    not (ppocr.available("tiny") and ppocr.available("small")), reason="PP-OCR not installed"
)

# A scan and two damaged photos, in three countries' formats.
CASES = [(20262, "DE", "scan"), (20265, "FR", "photo"), (20272, "PL", "photo")]


@functools.cache
def read(seed: int, country: str, kind: str) -> tuple[Receipt, bytes, Extraction]:
    """Return a receipt and its lazy extraction, read once per test session."""
    receipt = make(seed, country, kind)
    data, content_type = render(receipt)
    found = read_receipt(
        data,
        content_type=content_type,
        retailers=[RetailerRef(receipt.retailer)],
        currency_hint=receipt.currency,
        engine="ppocr",
    )
    return receipt, data, found


@pytest.mark.parametrize(("seed", "country", "kind"), CASES)
def test_claims_verify_and_wrong_ones_do_not(seed: int, country: str, kind: str) -> None:
    receipt, _, found = read(seed, country, kind)
    assert found.document.engine == "ppocr"
    good = verify(found, retailer=receipt.retailer, date=receipt.purchase_date,
                  total=receipt.total, currency=receipt.currency)
    assert good.auto_approvable, good.as_dict()
    for total in (receipt.total + 1, receipt.subtotal, receipt.vat):
        assert verify(found, retailer=receipt.retailer, date=receipt.purchase_date,
                      total=total).total.status == "mismatch"


def test_label_and_amount_are_one_line_with_its_box_on_the_page() -> None:
    receipt, _, found = read(20262, "DE", "scan")
    page = found.document.pages[0]
    total = found.total
    assert total.value == receipt.total
    assert total.line is not None
    assert any(c.isalpha() for c in total.line.text)
    box = total.line.box
    assert 0 <= box.x0 < box.x1 <= page.width
    assert 0 <= box.y0 < box.y1 <= page.height
    # The label sits at the left margin and the amount at the right: one line spans both.
    assert box.x1 - box.x0 > 0.5 * page.width


def test_further_readings_are_made_only_for_fields_not_confirmed() -> None:
    receipt, data, _ = read(20262, "DE", "scan")
    calls = []
    found = read_receipt(data, content_type="image/jpeg", engine="ppocr",
                         currency_hint=receipt.currency)
    assert found.pending is not None
    pending = found.pending

    def counting() -> Extraction:
        calls.append(1)
        return pending()

    found = dataclasses.replace(found, pending=counting)
    verify(found, retailer=receipt.retailer, date=receipt.purchase_date, total=receipt.total)
    assert calls == []
    verify(found, retailer=receipt.retailer, date=receipt.purchase_date, total=receipt.total + 1)
    verify(found, retailer=receipt.retailer, date=receipt.purchase_date, total=receipt.total + 2)
    assert found.complete() is found.complete()


def test_a_stricter_retailer_threshold_refuses_a_close_name() -> None:
    receipt, _, found = read(20262, "DE", "scan")
    name = receipt.retailer[:-1] + ("x" if receipt.retailer[-1] != "x" else "y")
    strict = Thresholds(retailer_margin=12.0)
    assert verify(found, retailer=name, date=receipt.purchase_date, total=receipt.total,
                  thresholds=strict).retailer.status == "mismatch"


def test_missing_models_are_an_error_never_a_download(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ppocr, "_package_dir", lambda name: None)
    with pytest.raises(DocumentError, match="not installed"):
        ppocr.model_paths("tiny")
    assert not ppocr.available("small")
