"""Photo-like JPEG receipts read with the real Tesseract binary, and readability warnings."""

from __future__ import annotations

import functools
import io
import random
from decimal import Decimal

import pytest
from PIL import Image, ImageFilter

from rabatt.receipts.reading import Extraction, RetailerRef, readability, verify
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
def read(language: str, shop: int) -> tuple[ReceiptSpec, Extraction]:
    """Return the photo's extraction, OCR'd once per test session."""
    spec, data = photo(language, shop)
    found = read_receipt(
        data,
        content_type="image/jpeg",
        languages=spec.languages,
        retailers=[RetailerRef(spec.retailer)],
        currency_hint=spec.currency,
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
