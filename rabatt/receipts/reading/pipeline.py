"""Read and extract in one call: a second page reading, and key lines read again up close."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence

from PIL import Image

from .document import (
    DEFAULT_LANGUAGES,
    LINES_ENGINE,
    Box,
    Document,
    Engine,
    Line,
    Page,
    group_lines,
    read_document,
    standard_model_dir,
    tesseract_words,
)
from .extract import (
    NAMES_ENGINE,
    Extraction,
    ProductRef,
    RetailerRef,
    extract,
    name_lines,
    total_label,
)
from .text import fold

# Page segmentation for the second pass: "single column of text of variable sizes" reads some
# layouts that the first pass's "uniform block" loses.
_RETRY_PSM = 4
# Re-read lines at these heights (px): Tesseract's line recogniser scales every line to a fixed
# height, so a small line read again larger loses fewer strokes, and two sizes err differently.
_REREAD_HEIGHTS = (40.0, 56.0)
# The standard English model (a wheel) reads the same lines again: digits look alike in every
# language, and a label read without its diacritics still folds to the same words.
_STANDARD_LANGUAGES = "eng"
_MAX_REREAD_LINES = 14
_DATE_LIKE = re.compile(
    r"\d{1,4} ?[./\-] ?\w{1,3} ?[./\-] ?\d{2}|\d{1,2} ?[a-z]{3,9}\.? ?\d{2}|"
    r"\b(date|dato|datum|tarikh)\b"
)
_ROUNDING = re.compile(r"round|avrund|rundung|afrund|bulat")


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
        alternates=(*first.alternates, second.document, *second.alternates),
    )


def key_lines(docs: Sequence[Document]) -> list[Line]:
    """Return the lines worth reading again: total and rounding labels, the line after, dates."""
    ranked: list[tuple[int, Line]] = []

    def add(priority: int, line: Line) -> None:
        # Two readings of a page give the same line twice; keep it once, at its best priority.
        for k, (p, other) in enumerate(ranked):
            if _same_row(line.box, other.box):
                if priority < p:
                    ranked[k] = (priority, other)
                return
        ranked.append((priority, line))

    for doc in docs:
        for page in doc.pages:
            lines = page.lines
            for i, line in enumerate(lines):
                folded = fold(line.text)
                label = total_label(folded)
                if label or _ROUNDING.search(folded):
                    priority = 0 if label == 2 else 1
                    add(priority, line)
                    if i + 1 < len(lines):
                        add(priority, lines[i + 1])
                elif _DATE_LIKE.search(folded):
                    add(1, line)
    ranked.sort(key=lambda r: r[0])
    return [line for _, line in ranked[:_MAX_REREAD_LINES]]


def reread_plan(
    docs: Sequence[Document], *, languages: str, standard: str | None
) -> list[tuple[str, str | None, float, list[Line], bool]]:
    """Return the re-readings to make: (languages, tessdata, line height, lines, whether the
    name lines are among them) for each.

    Every model reads the key lines at both heights; the shop's name (the first header lines
    that are mostly letters) is read once more, by the standard model at the smaller height,
    which read names best on the development scans (a header line is wide, so each read costs).
    """
    lines = key_lines(docs)
    names = [
        line
        for line in name_lines(docs[0])
        if not any(_same_row(line.box, other.box) for other in lines)
    ]
    models = [(languages, None)] + ([(_STANDARD_LANGUAGES, standard)] if standard else [])
    plan = []
    for model_languages, tessdata in models:
        for height in _REREAD_HEIGHTS:
            with_names = bool(names) and (model_languages, tessdata) == models[-1] \
                and height == _REREAD_HEIGHTS[0]
            chosen = [*lines, *names] if with_names else list(lines)
            plan.append((model_languages, tessdata, height, chosen, with_names))
    return plan


def _same_row(a: Box, b: Box) -> bool:
    return a.same_row(b, share=0.6)


def reread_lines(
    doc: Document,
    lines: Sequence[Line],
    *,
    languages: str,
    height: float,
    tessdata: str | None = None,
) -> Document | None:
    """Read the given lines again, each cropped across the page and scaled to a line height."""
    if not doc.images or not lines:
        return None
    again: list[Line] = []
    for line in lines:
        image = doc.images[line.box.page] if line.box.page < len(doc.images) else None
        if image is None or line.box.height <= 0:
            continue
        pad = 0.2 * line.box.height
        # The whole width, so that an amount the first reading lost off the line comes back.
        top = max(0.0, line.box.y0 - pad)
        crop = image.crop((0, round(top), image.width, round(min(image.height, line.box.y1 + pad))))
        scale = min(max(height / line.box.height, 1.0), 4.0)
        if scale > 1.05:
            crop = crop.resize(
                (round(crop.width * scale), round(crop.height * scale)),
                Image.Resampling.LANCZOS,
            )
        words = [
            dataclasses.replace(
                w,
                box=Box(
                    w.box.page,
                    w.box.x0 / scale,
                    top + w.box.y0 / scale,
                    w.box.x1 / scale,
                    top + w.box.y1 / scale,
                ),
            )
            for w in tesseract_words(
                crop, line.box.page, languages=languages, psm=7, tessdata=tessdata
            )
        ]
        if words:
            again += group_lines(words)
    return _substitute(doc, again)


def _substitute(doc: Document, again: Sequence[Line]) -> Document | None:
    """Return the page as first read with the re-read lines in place.

    What surrounds a line (a tax table header, a rounding line) still tells what the line is.
    """
    if not again:
        return None
    pages = []
    for page in doc.pages:
        mine = [a for a in again if a.box.page == page.index]
        kept = [ln for ln in page.lines if not any(_same_row(ln.box, a.box) for a in mine)]
        merged = sorted((*kept, *mine), key=lambda ln: ln.box.y0)
        pages.append(
            Page(
                page.index,
                page.width,
                page.height,
                tuple(dataclasses.replace(ln, index=i) for i, ln in enumerate(merged)),
            )
        )
    engine = f"{doc.engine}{LINES_ENGINE}"
    return dataclasses.replace(doc, pages=tuple(pages), engine=engine, images=())


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
    reread: bool = True,
) -> Extraction:
    """Read a receipt file and extract its fields, reading a scan more than one way."""
    doc = read_document(data, content_type=content_type, languages=languages, engine=engine)
    return extract_readings(
        read_more(doc, languages=languages, engine=engine, retry=retry, reread=reread),
        retailers=retailers,
        products=products,
        currency_hint=currency_hint,
    )


def read_more(
    doc: Document,
    *,
    languages: str = DEFAULT_LANGUAGES,
    engine: Engine = "tesseract",
    retry: bool = True,
    reread: bool = True,
) -> list[Document]:
    """Return the readings of a scan: the first, a second page segmentation, key lines again."""
    docs = [doc]
    if doc.source != "ocr" or engine != "tesseract" or not doc.images:
        return docs
    started = time.perf_counter()
    if retry:
        docs.append(reread_page(doc, languages=languages, psm=_RETRY_PSM))
    if reread:
        plan = reread_plan(docs, languages=languages, standard=standard_model_dir())
        for model_languages, tessdata, height, lines, with_names in plan:
            again = reread_lines(
                doc, lines, languages=model_languages, height=height, tessdata=tessdata
            )
            if again is None:
                continue
            # The one reading with the name lines added is marked for the retailer check.
            if with_names:
                again = dataclasses.replace(again, engine=f"{again.engine}{NAMES_ENGINE}")
            docs.append(again)
    doc.timings["more"] = time.perf_counter() - started
    return docs


def reread_page(doc: Document, *, languages: str, psm: int) -> Document:
    """Read the already prepared page images again with another page segmentation."""
    pages = []
    for page, image in zip(doc.pages, doc.images, strict=False):
        if image is None:
            pages.append(page)
            continue
        words = tesseract_words(image, page.index, languages=languages, psm=psm)
        pages.append(Page(page.index, page.width, page.height, tuple(group_lines(words))))
    return dataclasses.replace(doc, pages=tuple(pages), images=())


def extract_readings(
    docs: Sequence[Document],
    *,
    retailers: Sequence[RetailerRef] = (),
    products: Sequence[ProductRef] = (),
    currency_hint: str | None = None,
) -> Extraction:
    """Extract from the first reading, fill what it missed from the others, and keep them all."""
    found = extract(docs[0], retailers=retailers, products=products, currency_hint=currency_hint)
    for other in docs[1:]:
        found = merge(
            found,
            extract(other, retailers=retailers, products=products, currency_hint=currency_hint),
        )
    return found
