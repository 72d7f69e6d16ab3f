"""Fingerprints for finding the same receipt uploaded twice.

Three kinds, from strict to loose:

* ``content_hash`` — SHA-256 of the bytes: the very same file.
* ``perceptual_hash`` — a 64-bit pHash of the normalised picture (grayscale, deskewed, trimmed to
  the paper's ink, equalised): the same receipt re-saved, re-compressed, slightly rotated or
  cropped. Compare with ``hamming``; ``NEAR_DUPLICATE_DISTANCE`` is the threshold.
* ``text_fingerprint`` — SHA-256 of retailer, date, total and receipt number as read: the same
  purchase photographed twice, or a scan and a photo of one receipt.

Indexing the perceptual hash: store it as a signed 64-bit integer (``to_signed``) and, in four
more indexed columns, its four 16-bit bands (``hash_bands``). Two hashes within Hamming distance
3 share at least one band exactly (pigeonhole: 3 differing bits touch at most 3 of 4 bands), so
``WHERE band0 = %s OR band1 = %s OR band2 = %s OR band3 = %s`` finds every candidate through the
indexes; then keep the rows with ``hamming(a, b) <= threshold``. For a larger threshold ``t`` use
``t + 1`` bands of ``64 // (t + 1)`` bits (``hash_bands(h, bands=t + 1)``). PostgreSQL can also
compute ``bit_count((a # b)::bit(64))`` for the final filter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import imagehash
import numpy as np
from PIL import Image, ImageFilter, ImageOps

from .document import estimate_skew, load_image, render_pdf_pages, sniff_content_type
from .text import normalise_name

NEAR_DUPLICATE_DISTANCE = 12
_MASK = (1 << 64) - 1


def content_hash(data: bytes) -> str:
    """Return the SHA-256 hex digest of the file's bytes."""
    return hashlib.sha256(data).hexdigest()


def _normalise(image: Image.Image) -> Image.Image:
    """Return the receipt's ink as a black-on-white picture, deskewed and trimmed to the text."""
    gray = image.convert("L")
    gray.thumbnail((800, 800))
    angle = estimate_skew(ImageOps.autocontrast(gray, cutoff=1), step=0.25)
    if abs(angle) >= 0.3:
        fill = int(np.median(np.asarray(gray)))
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    arr = np.asarray(gray, dtype=np.float32)
    # Ink is what is darker than its surroundings, so lighting, vignetting and a dark table
    # around the paper do not count, and re-compression noise stays under the margin.
    background = np.asarray(gray.filter(ImageFilter.BoxBlur(12)), dtype=np.float32)
    ink = arr < background - 25
    ys, xs = np.nonzero(ink)
    out = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))
    if len(ys) > 200:
        # Percentiles, not extremes, so that specks and cut-off edges do not move the frame.
        y0, y1 = np.percentile(ys, [1, 99])
        x0, x1 = np.percentile(xs, [1, 99])
        if y1 - y0 > 20 and x1 - x0 > 20:
            out = out.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
    # Blur the strokes so the hash sees the layout of text blocks, not single letters.
    return out.filter(ImageFilter.GaussianBlur(2))


def perceptual_hash(data: bytes | Image.Image) -> int:
    """Return the 64-bit perceptual hash (unsigned) of an image or a PDF's first page."""
    if isinstance(data, Image.Image):
        image = data
    elif sniff_content_type(data) == "application/pdf":
        image = render_pdf_pages(data, dpi=100, max_pages=1)[0]
    else:
        image = load_image(data)
    return int(str(imagehash.phash(_normalise(image), hash_size=8)), 16)


def hamming(a: int, b: int) -> int:
    """Return the number of differing bits between two 64-bit hashes."""
    return ((a ^ b) & _MASK).bit_count()


def to_signed(value: int) -> int:
    """Return the hash as a signed 64-bit integer, for a ``BigIntegerField``."""
    value &= _MASK
    return value - (1 << 64) if value >= 1 << 63 else value


def from_signed(value: int) -> int:
    """Return the unsigned hash stored by ``to_signed``."""
    return value & _MASK


def hash_bands(value: int, *, bands: int = 4) -> tuple[int, ...]:
    """Split the 64-bit hash into equal bands (the last takes the leftover bits) for indexing."""
    value &= _MASK
    width = 64 // bands
    out = []
    for i in range(bands):
        bits = width if i < bands - 1 else 64 - width * (bands - 1)
        out.append((value >> (i * width)) & ((1 << bits) - 1))
    return tuple(out)


def text_fingerprint(
    *,
    retailer: str | None,
    purchase_date: date | None,
    total: Decimal | None,
    receipt_number: str | None,
) -> str | None:
    """Return a SHA-256 of the normalised purchase facts, or None when too few are known."""
    known = [retailer, purchase_date, total, receipt_number]
    if sum(v is not None and v != "" for v in known) < 3:
        return None
    parts = [
        normalise_name(retailer or ""),
        purchase_date.isoformat() if purchase_date else "",
        str(total.quantize(Decimal("0.01"))) if total is not None else "",
        "".join(ch for ch in (receipt_number or "").upper() if ch.isalnum()),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The fingerprints of one upload."""

    sha256: str
    phash: int
    bands: tuple[int, ...]
    text: str | None = None


def fingerprint(data: bytes, *, text: str | None = None) -> Fingerprint:
    """Return the content hash, perceptual hash and its bands (and a given text fingerprint)."""
    phash = perceptual_hash(data)
    return Fingerprint(content_hash(data), phash, hash_bands(phash), text)


def is_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    """Return whether two uploads show the same purchase.

    Receipts printed from one shop's template look alike at 64 bits, so a close perceptual hash
    counts only when the text read from both does not tell them apart.
    """
    if a.sha256 == b.sha256:
        return True
    if a.text is not None and b.text is not None:
        return a.text == b.text
    return hamming(a.phash, b.phash) <= NEAR_DUPLICATE_DISTANCE
