"""Read and extract in one call, with a second OCR pass when the first misses a key field."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .document import DEFAULT_LANGUAGES, Document, Engine, read_document
from .extract import Extraction, ProductRef, RetailerRef, extract

# Page segmentation for the second pass: "single column of text of variable sizes" reads some
# layouts that the first pass's "uniform block" loses.
_RETRY_PSM = 4


def needs_retry(extraction: Extraction) -> bool:
    """Return whether an OCR reading lacks the total or any date."""
    return extraction.document.source == "ocr" and (
        extraction.total.value is None or not extraction.dates
    )


def merge(first: Extraction, second: Extraction) -> Extraction:
    """Fill the fields the first reading missed from the second; keep the first's where found."""
    return dataclasses.replace(
        first,
        retailer=first.retailer if first.retailer.value else second.retailer,
        date=first.date if first.dates else second.date,
        dates=first.dates or second.dates,
        total=first.total if first.total.value is not None else second.total,
        totals=first.totals if first.total.value is not None else second.totals,
        currency=first.currency if first.currency.value else second.currency,
        receipt_number=first.receipt_number
        if first.receipt_number.value
        else second.receipt_number,
        products=first.products or second.products,
        alternates=(*first.alternates, second.document),
    )


def read_receipt(
    data: bytes,
    *,
    content_type: str | None = None,
    languages: str = DEFAULT_LANGUAGES,
    retailers: Sequence[RetailerRef] = (),
    products: Sequence[ProductRef] = (),
    currency_hint: str | None = None,
    engine: Engine = "tesseract",
    retry: bool = True,
) -> Extraction:
    """Read a receipt file and extract its fields; OCR a second way if total or date is missing."""
    doc = read_document(data, content_type=content_type, languages=languages, engine=engine)
    found = extract(doc, retailers=retailers, products=products, currency_hint=currency_hint)
    if retry and needs_retry(found):
        again: Document = read_document(
            data, content_type=content_type, languages=languages, engine=engine, psm=_RETRY_PSM
        )
        found = merge(
            found,
            extract(again, retailers=retailers, products=products, currency_hint=currency_hint),
        )
    return found
