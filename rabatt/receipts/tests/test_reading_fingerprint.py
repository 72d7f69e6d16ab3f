"""Duplicate detection: exact, perceptual and text fingerprints."""

from __future__ import annotations

import functools
import io
import random
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from rabatt.receipts.reading import (
    fingerprint,
    hamming,
    hash_bands,
    is_duplicate,
    text_fingerprint,
)
from rabatt.receipts.reading.fingerprint import NEAR_DUPLICATE_DISTANCE, from_signed, to_signed
from rabatt.receipts.tests.receiptgen import make_spec, photograph, render_image


@functools.cache
def photo(seed: int, language: str) -> bytes:
    """Return a photo-like receipt, made once per test session."""
    spec = make_spec(seed, language)
    return photograph(render_image(spec), rng=random.Random(seed))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def copies(data: bytes) -> dict[str, bytes]:
    """Return the usual ways one receipt comes back: re-compressed, rotated, cropped."""
    image = Image.open(io.BytesIO(data))
    w, h = image.size
    return {
        "recompressed": _jpeg(image, 45),
        "rotated 2°": _jpeg(image.rotate(2, expand=True, fillcolor=(120, 120, 120)), 80),
        "cropped 3 %": _jpeg(
            image.crop((int(w * 0.03), int(h * 0.03), int(w * 0.97), int(h * 0.97))), 80
        ),
        "resized": _jpeg(image.resize((w * 2 // 3, h * 2 // 3)), 80),
    }


def test_copies_of_a_receipt_are_near_duplicates() -> None:
    for seed, language in ((1, "nb"), (3, "en")):
        data = photo(seed, language)
        original = fingerprint(data)
        for name, copy in copies(data).items():
            again = fingerprint(copy)
            assert hamming(original.phash, again.phash) <= NEAR_DUPLICATE_DISTANCE, name
            assert again.sha256 != original.sha256
            assert is_duplicate(original, again)


def _text(seed: int, language: str) -> str | None:
    spec = make_spec(seed, language)
    return text_fingerprint(
        retailer=spec.retailer,
        purchase_date=spec.purchase_date,
        total=spec.total,
        receipt_number=spec.receipt_number,
    )


def test_different_receipts_are_not_duplicates() -> None:
    receipts = ((1, "nb"), (2, "de"), (3, "en"), (4, "sv"), (5, "da"))
    prints = [fingerprint(photo(seed, lang), text=_text(seed, lang)) for seed, lang in receipts]
    for i, a in enumerate(prints):
        for b in prints[i + 1 :]:
            assert not is_duplicate(a, b)
    # One template at 64 bits: the picture alone may not tell two receipts apart, the text does.
    assert min(hamming(a.phash, b.phash) for a in prints for b in prints if a is not b) > 2


def test_same_purchase_photographed_twice_is_a_duplicate() -> None:
    a = fingerprint(photo(1, "nb"), text=_text(1, "nb"))
    b = fingerprint(copies(photo(1, "nb"))["rotated 2°"], text=_text(1, "nb"))
    assert is_duplicate(a, b)


@given(st.integers(0, 2**64 - 1), st.lists(st.integers(0, 63), max_size=3))
def test_close_hashes_share_a_band(value: int, flips: list[int]) -> None:
    other = value
    for bit in flips:
        other ^= 1 << bit
    assert hamming(value, other) <= 3
    assert any(a == b for a, b in zip(hash_bands(value), hash_bands(other), strict=True))


@given(st.integers(0, 2**64 - 1))
def test_signed_round_trip(value: int) -> None:
    assert -(2**63) <= to_signed(value) < 2**63
    assert from_signed(to_signed(value)) == value


def test_text_fingerprint_ignores_formatting() -> None:
    a = text_fingerprint(
        retailer="Elkjøp Norge AS",
        purchase_date=date(2025, 3, 15),
        total=Decimal("499"),
        receipt_number="269-660656",
    )
    b = text_fingerprint(
        retailer="ELKJOP",
        purchase_date=date(2025, 3, 15),
        total=Decimal("499.00"),
        receipt_number="269660656",
    )
    c = text_fingerprint(
        retailer="ELKJOP",
        purchase_date=date(2025, 3, 16),
        total=Decimal("499.00"),
        receipt_number="269660656",
    )
    assert a == b != c
    assert (
        text_fingerprint(retailer=None, purchase_date=None, total=Decimal(1), receipt_number=None)
        is None
    )
