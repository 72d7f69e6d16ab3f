"""Open, measure and render PDFs within limits, in a child process (see ``core.sandbox``).

Every use of pdfium on an uploaded PDF goes through here: vetting the upload, reading its
text, rendering pages for OCR, readability, fingerprints and the review desk. The parent
never loads a page itself; the child has a memory limit, and every rendering is capped in
pixels whatever the page claims to measure.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rabatt.core import sandbox

if TYPE_CHECKING:
    from PIL import Image

# Streams of a receipt inflate to a few MB; the budget is for the whole file.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
# A4 is 595 x 842 pt; a long till roll scanned to PDF is about 230 x 5,000 pt. Beyond these,
# a page is not a receipt and rendering it is only a cost.
MAX_PAGE_SIDE_POINTS = 6000.0
MAX_PAGE_AREA_POINTS = 2_000_000.0
# Pixels of one rendered page: A4 at 300 dpi is 8.7 million.
MAX_RENDER_PIXELS = 12_000_000
# Characters of one page's text layer sent back from the child; a receipt has a few thousand.
MAX_PAGE_CHARS = 50_000

_STREAM = b"stream"
_CHUNK = 1024 * 1024


class PdfLimitExceeded(Exception):
    """Signal that a PDF is beyond a limit or could not be handled within one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def inflated_size_within(data: bytes, *, budget: int = MAX_INFLATED_BYTES) -> bool:
    """Tell whether every Flate stream of a PDF inflates to at most ``budget`` bytes in all.

    Streams are inflated a chunk at a time and the output thrown away, so the check itself
    costs a chunk of memory however large the streams claim to be.
    """
    view = memoryview(data)
    total = 0
    start = data.find(_STREAM)
    while start != -1:
        body = start + len(_STREAM)
        if data.startswith(b"\r\n", body):
            body += 2
        elif data[body : body + 1] in (b"\n", b"\r"):
            body += 1
        else:
            start = data.find(_STREAM, body)
            continue
        inflater = zlib.decompressobj()
        pending: bytes | memoryview = view[body:]
        try:
            while pending and not inflater.eof:
                total += len(inflater.decompress(pending, _CHUNK))
                if total > budget:
                    return False
                pending = inflater.unconsumed_tail
        except zlib.error:
            pass  # not Flate (or damaged): pdfium meets it only inside the limited child
        start = data.find(_STREAM, body)
    return True


@dataclass(frozen=True, slots=True)
class PdfPage:
    """One page: its size in points and either its text layer or a capped rendering."""

    index: int
    width: float
    height: float
    chars: tuple[tuple[str, float, float, float, float], ...] | None
    image: Image.Image | None


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """What the limited child learnt about a PDF: pages, their sizes in points, and the
    first page when it was asked for."""

    pages: int
    sizes: tuple[tuple[float, float], ...]
    first_page: PdfPage | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """How a page is to come back: at ``dpi`` within ``max_pixels``, or as text."""

    dpi: float
    text_min_chars: int | None = None
    max_pixels: int = MAX_RENDER_PIXELS
    grayscale: bool = False

    def params(self) -> dict[str, Any]:
        """Return the request as the child's parameters."""
        return {"dpi": self.dpi, "text_min_chars": self.text_min_chars,
                "max_pixels": self.max_pixels, "grayscale": self.grayscale}


def _run(job: str, params: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
    try:
        return sandbox.run(job, params, data)
    except sandbox.SandboxError as exc:
        raise PdfLimitExceeded(exc.reason) from exc


def pdf_inspect(data: bytes, *, max_pages: int, first_page: PageRequest | None = None) -> PdfInfo:
    """Open a PDF in the limited child, load every page and return its page sizes.

    With ``first_page``, the same child also returns page 1 as asked, so a caller that needs
    it next (the readability of an upload) starts no second child.
    Raises ``PdfLimitExceeded`` when the child fails, ``ValueError`` with a refusal code
    (``pdf_unreadable``, ``pdf_encrypted``, ``pdf_javascript``, ``pdf_embedded_files``,
    ``too_many_pages``) when pdfium says why.
    """
    params: dict[str, Any] = {"max_pages": max_pages}
    if first_page is not None:
        params["first_page"] = first_page.params()
    result, payload = _run("pdf.inspect", params, data)
    if "error" in result:
        raise ValueError(str(result["error"]))
    sizes = tuple((float(w), float(h)) for w, h in result["sizes"])
    page = None
    if first_page is not None and "first_page" in result:  # absent: a page beyond the limits
        if not isinstance(result["first_page"], dict):
            raise PdfLimitExceeded("bad_answer")
        page = _page_from(result["first_page"], payload, first_page.max_pixels)
    return PdfInfo(pages=int(result["pages"]), sizes=sizes, first_page=page)


def page_within_limits(width: float, height: float) -> bool:
    """Tell whether a page's size in points is one a receipt can have."""
    return (0 < width <= MAX_PAGE_SIDE_POINTS and 0 < height <= MAX_PAGE_SIDE_POINTS
            and width * height <= MAX_PAGE_AREA_POINTS)


def render_scale(width: float, height: float, *, dpi: float,
                 max_pixels: int = MAX_RENDER_PIXELS) -> float:
    """Return the scale for rendering a page at ``dpi``, lowered to stay within the pixel cap."""
    wanted = dpi / 72
    area = max(width, 1.0) * max(height, 1.0)
    return min(wanted, math.sqrt(max_pixels / area))


def pdf_pages(data: bytes, *, indices: list[int], dpi: float, text_min_chars: int | None = None,
              max_pixels: int = MAX_RENDER_PIXELS, grayscale: bool = False) -> list[PdfPage]:
    """Return pages of a PDF, each rendered within ``max_pixels`` in the limited child.

    With ``text_min_chars``, a page whose text layer has at least that many characters comes
    back as text instead of pixels. Raises ``PdfLimitExceeded`` or ``ValueError``.
    """
    request = PageRequest(dpi=dpi, text_min_chars=text_min_chars, max_pixels=max_pixels,
                          grayscale=grayscale)
    result, payload = _run("pdf.pages", {"indices": indices, **request.params()}, data)
    if "error" in result:
        raise ValueError(str(result["error"]))
    return [_page_from(entry, payload, max_pixels) for entry in result["pages"]]


def _page_from(entry: dict[str, Any], payload: bytes, max_pixels: int) -> PdfPage:
    """Rebuild one page from the child's answer, checking what it claims."""
    from PIL import Image

    image = None
    chars = None
    if "image" in entry:
        mode, w, h, offset, length = entry["image"]
        # pdfium rounds each side up: allow one row and one column over the cap.
        too_many = int(w) * int(h) > max_pixels + int(w) + int(h) + 1
        if mode not in ("L", "RGB") or too_many or offset + length > len(payload):
            raise PdfLimitExceeded("bad_answer")
        image = Image.frombytes(mode, (int(w), int(h)), payload[offset : offset + length])
    else:
        chars = tuple((str(c), float(a), float(b), float(r), float(t))
                      for c, a, b, r, t in entry["chars"])
    return PdfPage(int(entry["index"]), float(entry["width"]), float(entry["height"]), chars,
                   image)


# --- in the child -------------------------------------------------------------------------


def _child_open(data: bytes) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            return "pdf_encrypted"
        return "pdf_unreadable"


def child_inspect(params: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
    """Check what pdfium sees: encryption, scripts, attachments, pages that will not load."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = _child_open(data)
    if isinstance(pdf, str):
        return {"error": pdf}, b""
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            return {"error": "pdf_encrypted"}, b""
        if pdfium_c.FPDFDoc_GetJavaScriptActionCount(pdf.raw) > 0:
            return {"error": "pdf_javascript"}, b""
        if pdf.count_attachments() > 0:
            return {"error": "pdf_embedded_files"}, b""
        count = len(pdf)
        if count < 1:
            return {"error": "pdf_unreadable"}, b""
        if count > int(params["max_pages"]):
            return {"error": "too_many_pages"}, b""
        sizes = []
        for index in range(count):
            page = pdf[index]  # loading parses the content: a bomb goes off here, in the child
            sizes.append(list(page.get_size()))
            page.close()
        result: dict[str, Any] = {"pages": count, "sizes": sizes}
        payload = bytearray()
        wanted = params.get("first_page")
        # Only a page a receipt can have is rendered: the caller refuses the others anyway.
        if wanted is not None and page_within_limits(*sizes[0]):
            page = pdf[0]
            result["first_page"] = _child_page(page, 0, wanted, payload)
            page.close()
    except pdfium.PdfiumError:
        return {"error": "pdf_unreadable"}, b""
    finally:
        pdf.close()
    return result, bytes(payload)


def _child_chars(textpage: Any) -> list[list[Any]]:
    count = min(textpage.count_chars(), MAX_PAGE_CHARS)
    text = textpage.get_text_range(0, count) if count else ""
    # get_text_range may differ in length from the char count when the PDF has ligatures.
    if len(text) != count:
        text = "".join(textpage.get_text_range(i, 1) for i in range(count))
    return [[text[i], *textpage.get_charbox(i)] for i in range(count)]


def _child_page(page: Any, index: int, params: dict[str, Any],
                payload: bytearray) -> dict[str, Any]:
    """Describe one page as text or as capped pixels appended to ``payload``."""
    width, height = page.get_size()
    entry: dict[str, Any] = {"index": index, "width": width, "height": height}
    min_chars = params.get("text_min_chars")
    if min_chars is not None:
        textpage = page.get_textpage()
        if textpage.count_chars() >= int(min_chars):
            entry["chars"] = _child_chars(textpage)
            return entry
    scale = render_scale(width, height, dpi=float(params["dpi"]),
                         max_pixels=int(params["max_pixels"]))
    image = page.render(scale=scale, grayscale=bool(params["grayscale"])).to_pil()
    image = image.convert("L" if params["grayscale"] else "RGB")
    raw = image.tobytes()
    entry["image"] = [image.mode, image.width, image.height, len(payload), len(raw)]
    payload += raw
    return entry


def child_pages(params: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
    """Return the asked pages as text or as pixels within the cap."""
    import pypdfium2 as pdfium

    pdf = _child_open(data)
    if isinstance(pdf, str):
        return {"error": pdf}, b""
    entries: list[dict[str, Any]] = []
    payload = bytearray()
    try:
        for index in params["indices"]:
            if not 0 <= int(index) < len(pdf):
                continue
            page = pdf[int(index)]
            entries.append(_child_page(page, int(index), params, payload))
            page.close()
    except pdfium.PdfiumError:
        return {"error": "pdf_unreadable"}, b""
    finally:
        pdf.close()
    return {"pages": entries}, bytes(payload)
