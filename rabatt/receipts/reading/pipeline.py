"""Read and extract in one call: the page, then the lines that decide a claim read again."""

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
    Word,
    group_lines,
    read_document,
    resolve_engine,
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
_PAYMENT = re.compile(
    r"\b(cash|tunai|kontant\w*|bar|change|baki|kembali|veksel|vaxel|ruckgeld|tender\w*|visa|"
    r"master ?card|card|kort|karte|dankort|bankaxept|paid|betalt)\b"
)

# What each engine reads after the first reading of a scan, in order:
# "page-psm4": the page again with Tesseract's single-column segmentation;
# "lines-tesseract": the key lines cropped and read by Tesseract at two heights with two models;
# "lines-tesseract-std": the key lines once, by Tesseract's standard English model at 40 px;
# "lines-small": the key lines' regions read again by PP-OCR's small recogniser;
# "lines-tiny": the same with the tiny recogniser (for a page read by the small one).
PLANS: dict[str, tuple[str, ...]] = {
    "tesseract": ("page-psm4", "lines-tesseract"),
    "ppocr": ("lines-small",),
    "ppocr-tiny": (),
    "ppocr-small": (),
}


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
    engine: Engine | None = None,
    retry: bool = True,
    reread: bool = True,
    lazy: bool = True,
) -> Extraction:
    """Read a receipt file and extract its fields, reading a scan more than one way.

    With ``lazy`` the further readings of the engine's plan are made only when verification
    asks for them (a field the first reading did not confirm); otherwise at once.
    """
    engine = resolve_engine(engine)
    doc = read_document(data, content_type=content_type, languages=languages, engine=engine)

    def everything() -> Extraction:
        return extract_readings(
            read_more(doc, languages=languages, engine=engine, retry=retry, reread=reread),
            retailers=retailers,
            products=products,
            currency_hint=currency_hint,
        )

    if not lazy or doc.source != "ocr" or not doc.images:
        return everything()
    first = extract_readings([doc], retailers=retailers, products=products,
                             currency_hint=currency_hint)
    made: list[Extraction] = []

    def pending() -> Extraction:
        if not made:
            made.append(everything())
        return made[0]

    return dataclasses.replace(first, pending=pending)


def read_more(
    doc: Document,
    *,
    languages: str = DEFAULT_LANGUAGES,
    engine: Engine | None = None,
    retry: bool = True,
    reread: bool = True,
    plan: Sequence[str] | None = None,
) -> list[Document]:
    """Return the readings of a scan: the first, then those its engine's plan adds.

    Each step reads with settings no earlier step used, so no page or line is read twice the
    same way. ``retry`` and ``reread`` switch off the whole-page and the line steps.
    """
    docs = [doc]
    if doc.source != "ocr" or not doc.images:
        return docs
    steps = PLANS[resolve_engine(engine)] if plan is None else tuple(plan)
    started = time.perf_counter()
    for step in steps:
        if (step.startswith("page-") and not retry) or (step.startswith("lines-") and not reread):
            continue
        if step == "page-psm4":
            docs.append(reread_page(doc, languages=languages, psm=_RETRY_PSM))
        elif step in ("lines-tesseract", "lines-tesseract-std"):
            standard = standard_model_dir()
            steps_plan = reread_plan(docs, languages=languages, standard=standard)
            if step == "lines-tesseract-std":
                steps_plan = [p for p in steps_plan if p[4]] or steps_plan[:1]
            for model_languages, tessdata, height, lines, with_names in steps_plan:
                again = reread_lines(
                    doc, lines, languages=model_languages, height=height, tessdata=tessdata
                )
                if again is None:
                    continue
                # The one reading with the name lines added is marked for the retailer check.
                if with_names:
                    again = dataclasses.replace(again, engine=f"{again.engine}{NAMES_ENGINE}")
                docs.append(again)
        elif step in ("lines-small", "lines-tiny"):
            again = rerecognise_lines(doc, ppocr_lines(doc), size=step.removeprefix("lines-"))
            if again is not None:
                docs.append(dataclasses.replace(again, engine=f"{again.engine}{NAMES_ENGINE}"))
        else:
            raise ValueError(f"unknown reading step: {step!r}")
    doc.timings["more"] = time.perf_counter() - started
    return docs


def ppocr_lines(doc: Document) -> list[Line]:
    """Return the lines a second recogniser reads: key lines, the shop's name, payment lines."""
    chosen = key_lines([doc])
    extra = [*name_lines(doc)]
    for page in doc.pages:
        extra += [ln for ln in page.lines if _PAYMENT.search(fold(ln.text))]
    for line in extra:
        if not any(line is other for other in chosen):
            chosen.append(line)
    return chosen


def rerecognise_lines(doc: Document, lines: Sequence[Line], *, size: str) -> Document | None:
    """Read the regions of the given lines again with a PP-OCR recogniser, boxes unchanged."""
    from .ppocr import rerecognise

    if not doc.images or not lines:
        return None
    again: list[Line] = []
    for page_index, image in enumerate(doc.images):
        mine = [ln for ln in lines if ln.box.page == page_index]
        if image is None or not mine:
            continue
        words: list[Word] = [w for ln in mine for w in ln.words]
        read = rerecognise(image, words, size="small" if size == "small" else "tiny")
        again += group_lines(read)
    return _substitute(doc, again)


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


def read_documents(
    data: bytes,
    *,
    content_type: str | None = None,
    languages: str = DEFAULT_LANGUAGES,
    engine: Engine | None = None,
) -> list[Document]:
    """Return every reading of the engine's plan at once (to keep, and extract from later)."""
    engine = resolve_engine(engine)
    doc = read_document(data, content_type=content_type, languages=languages, engine=engine)
    return read_more(doc, languages=languages, engine=engine)


def reading_settings(*, languages: str, engine: Engine | None = None) -> str:
    """Name what a page's readings depend on: kept readings with the same name are reused."""
    engine = resolve_engine(engine)
    return f"{engine}|{languages}|{'+'.join(PLANS[engine])}"
