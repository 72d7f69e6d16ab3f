"""Photo-like JPEG receipts read by the OCR engines for real, and readability warnings."""

from __future__ import annotations

import functools
import io
import random
from decimal import Decimal

import pytest
from PIL import Image, ImageFilter

from rabatt.receipts.reading import Extraction, RetailerRef, readability, verify
from rabatt.receipts.reading.document import LINES_ENGINE, Engine, tesseract_words
from rabatt.receipts.reading.extract import find_totals
from rabatt.receipts.reading.pipeline import read_receipt
from rabatt.receipts.tests.receiptgen import ReceiptSpec, make_spec, photograph, render_image

# One photo per language family keeps OCR in this suite to a handful of images.
PHOTOS = [("nb", 1), ("de", 0), ("en", 2)]


@functools.cache
def photo(language: str, shop: int, blur: float = 0.6) -> tuple[ReceiptSpec, bytes]:
    """Return a photo-like receipt, made once per test session."""
    spec = make_spec(900 + shop, language, shop=shop)
    return spec, photograph(render_image(spec), rng=random.Random(spec.seed), blur=blur)


@functools.cache
def read(language: str, shop: int, engine: Engine | None = None) -> tuple[ReceiptSpec, Extraction]:
    """Return the photo's extraction with every reading made, OCR'd once per test session."""
    spec, data = photo(language, shop)
    found = read_receipt(
        data,
        content_type="image/jpeg",
        languages=spec.languages,
        retailers=[RetailerRef(spec.retailer)],
        currency_hint=spec.currency,
        engine=engine,
        lazy=False,
    )
    return spec, found


@pytest.mark.parametrize(("language", "shop"), PHOTOS)
def test_photo_fields_are_read(language: str, shop: int) -> None:
    spec, found = read(language, shop)
    assert found.document.source == "ocr"
    assert found.retailer.value == RetailerRef(spec.retailer)
    assert found.date.value == spec.purchase_date
    assert found.total.value == spec.total
    assert found.currency.value == spec.currency


@pytest.mark.parametrize(("language", "shop"), PHOTOS)
def test_photo_claims_verify_and_wrong_ones_do_not(language: str, shop: int) -> None:
    spec, found = read(language, shop)
    good = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=spec.total)
    assert good.auto_approvable, good.as_dict()
    cent = Decimal("0.01")
    for total in (spec.total + cent, spec.total - cent, spec.subtotal, spec.vat):
        bad = verify(found, retailer=spec.retailer, date=spec.purchase_date, total=total)
        assert bad.total.status == "mismatch"
    assert (
        verify(
            found,
            retailer="Elgiganten" if spec.retailer != "Elgiganten" else "Power",
            date=spec.purchase_date,
            total=spec.total,
        ).retailer.status
        == "mismatch"
    )


def test_sharp_photo_reads_as_readable() -> None:
    _, data = photo("sv", 0)
    result = readability(data)
    assert result.ok
    assert not result.warnings


def test_strongly_blurred_photo_is_flagged() -> None:
    _, data = photo("da", 0, blur=6.0)
    result = readability(data)
    assert result.blurry
    assert not result.ok
    assert str(result.warnings[0])


def test_faint_photo_is_low_contrast() -> None:
    _, data = photo("sv", 0)
    image = Image.open(io.BytesIO(data)).convert("L").point(lambda v: 200 + v * 40 // 255)
    assert readability(image).low_contrast


def test_mild_blur_is_still_readable() -> None:
    _, data = photo("sv", 0)
    image = Image.open(io.BytesIO(data)).filter(ImageFilter.GaussianBlur(0.5))
    assert not readability(image).blurry


def test_total_and_date_lines_are_read_again_up_close_by_tesseract() -> None:
    spec, found = read("en", 2, "tesseract")
    again = [d for d in found.alternates if d.engine.endswith(LINES_ENGINE)]
    # Lines read again at two heights, by Debian's fast model and the wheel's standard one.
    assert len(again) >= 2
    totals = {f.value for d in again for _, f in find_totals(d)}
    assert spec.total in totals
    # The page keeps its other lines, so a re-read line is judged in its context.
    assert all(len(d.lines) >= len(found.document.lines) - 2 for d in again)


@pytest.mark.parametrize("engine", ["ppocr", "tesseract"])
def test_a_line_read_again_keeps_page_coordinates(engine: Engine) -> None:
    _, found = read("nb", 1, engine)
    assert found.alternates
    first = {round(line.box.y0 / 10) for line in found.document.lines}
    for doc in found.alternates:
        for line in doc.lines:
            assert line.box.page == 0
            assert 0 <= line.box.x0 < line.box.x1 <= found.document.pages[0].width + 1
            assert any(abs(round(line.box.y0 / 10) - y) <= 2 for y in first)


def test_the_library_engine_reads_like_the_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = make_spec(901, "en", shop=1)
    image = render_image(spec).crop((0, 0, 640, 260))
    by_library = " ".join(w.text for w in tesseract_words(image, languages="eng"))
    monkeypatch.setenv("RABATT_OCR_BINARY", "1")
    by_binary = " ".join(w.text for w in tesseract_words(image, languages="eng"))
    assert by_library == by_binary
    assert spec.shop.name.upper().split()[0] in by_library
