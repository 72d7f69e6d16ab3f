"""Receipts for tests: project-made receipts that match (or contradict) the example claim."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageFilter

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory
from rabatt.receipts.tests.receiptgen import SHOPS, ReceiptSpec, render_image, render_pdf

ELKJOP = SHOPS["nb"][0]


def spec(*, total: str = "4990.00", day: date = date(2019, 7, 25), number: str = "417-220719",
         shop: Any = ELKJOP, extra_item: bool = False) -> ReceiptSpec:
    amount = Decimal(total)
    items: list[tuple[str, int, Decimal]] = [("Sonos Beam", 1, amount)]
    if extra_item:
        items.append(("HDMI-kabel 2m", 1, Decimal("199.00")))
    gross = sum((p * q for _, q, p in items), Decimal("0"))
    vat = (gross - gross / Decimal("1.25")).quantize(Decimal("0.01"))
    return ReceiptSpec("nb", shop, day, number, tuple(items), gross - vat, vat, gross)


def pdf_bytes(receipt: ReceiptSpec) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return render_pdf(receipt, Path(tmp) / "r.pdf").read_bytes()


def jpeg_bytes(receipt: ReceiptSpec, *, blur: float = 0, quality: int = 85) -> bytes:
    image = render_image(receipt, scale=1.4)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture
def claim_read(campaign: Any, during_campaign: Any,
               django_capture_on_commit_callbacks: Any) -> Any:
    """Make claims with ``claim_factory`` and read their receipts as the worker would."""
    def make(data: bytes, name: str = "kvittering.pdf", kind: str = "application/pdf",
             **changes: Any) -> Claim:
        with django_capture_on_commit_callbacks(execute=True):
            claim = claim_factory(campaign, files=[(name, data, kind)], **changes)
        return Claim.objects.get(pk=claim.pk)
    return make
