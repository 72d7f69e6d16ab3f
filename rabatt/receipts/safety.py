"""Vet uploaded proof-of-purchase files before anything is stored.

Nothing the client sends is trusted: the declared file name and content type are
never consulted for a decision, only to word a refusal. The bytes are sniffed,
walked structurally, decoded fully and, for images, re-encoded so that the
stored file is one we wrote ourselves. See docs/uploads.md for the reasoning behind each check.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from rabatt.core.pdf import (
    PdfLimitExceeded,
    PdfPage,
    inflated_size_within,
    page_within_limits,
    pdf_inspect,
)
from rabatt.receipts.reading.quality import PDF_PAGE as READABILITY_PDF_PAGE

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_FILES_PER_CLAIM = 10
MAX_PIXELS = 40_000_000
MAX_PDF_PAGES = 20
MAX_DISPLAY_NAME = 100
JPEG_QUALITY = 88

# Bytes of non-padding junk tolerated after a JPEG EOI or a PDF %%EOF: a few
# producers leave a stray byte or two, but nothing big enough to carry a payload.
TRAILER_TOLERANCE = 16
# Phones append secondary JPEGs (MPF, Ultra HDR / Apple gain maps) after the
# primary EOI; more than this is not a photo any more.
MAX_APPENDED_JPEGS = 4
# Bounds on the PDF walk so that a hostile object graph cannot pin a worker:
# a 20-page receipt has hundreds of objects; 20,000 take pypdf about 1.5 s.
MAX_PDF_OBJECTS = 20_000
MAX_PDF_NODES = 400_000
MAX_OBJSTM_INFLATED = 32 * 1024 * 1024

KIND_JPEG = "image/jpeg"
KIND_PDF = "application/pdf"
KIND_PNG = "image/png"


class UploadRefused(Exception):
    """Signal that an upload is refused, with a stable code and an HTTP status."""

    def __init__(self, code: str, message: str | Promise, status: int = 422) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class SafeFile:
    """Hold the vetted bytes to store and what we learnt about them."""

    data: bytes
    content_type: str
    extension: str
    page_count: int
    width: int | None
    height: int | None
    sha256: str
    original_sha256: str
    original_type: str
    original_size: int
    display_name: str
    # A PDF's first page as readability judges it, from the vetting child (no second child).
    pdf_page: PdfPage | None = field(default=None, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Return the size of the bytes to store."""
        return len(self.data)

    @property
    def converted(self) -> bool:
        """Tell whether the stored bytes differ from what was uploaded."""
        return self.sha256 != self.original_sha256


# Every refusal: code -> (HTTP status, English source message).
REFUSALS: dict[str, tuple[int, Promise]] = {
    "empty_file": (422, _("The file is empty.")),
    "file_too_large": (413, _("The file is larger than 2 MB. Please upload a smaller file.")),
    "unsupported_type": (415, _("Only PDF and JPEG files are accepted (PNG is converted).")),
    # The same refusal, worded for what the person picked: a name that promises a PDF or a
    # photo whose content is neither (a damaged download, another file renamed).
    "not_a_pdf": (415, _("This file is named .pdf but is not a PDF: it may be damaged or "
                         "another kind of file renamed. Please save the receipt as a PDF "
                         "again, or upload a photo of it.")),
    "not_a_jpeg": (415, _("This file is named .jpg or .jpeg but is not a JPEG picture: it may "
                          "be damaged or another kind of file renamed. Please take the photo "
                          "again, or upload a screenshot.")),
    "unsupported_heic": (
        415,
        _(
            "HEIC photos are not accepted. Please choose “Most compatible” (JPEG) in your "
            "camera settings, or take a screenshot."
        ),
    ),
    "polyglot": (422, _("The file contains data that does not belong to a PDF or image.")),
    "image_unreadable": (422, _("The image is damaged or incomplete. Please upload it again.")),
    "image_too_many_pixels": (422, _("The image is too large in pixels. Please shrink it.")),
    "pdf_unreadable": (422, _("The PDF is damaged or could not be read.")),
    "pdf_encrypted": (422, _("The PDF is password-protected or encrypted. Please remove it.")),
    "pdf_javascript": (422, _("The PDF contains scripts or automatic actions.")),
    "pdf_embedded_files": (422, _("The PDF contains attached or embedded files.")),
    "too_many_pages": (422, _("The PDF has more than 20 pages.")),
    "pdf_too_complex": (
        422,
        _(
            "The PDF is too large or too complex to check safely. Please upload a photo or "
            "a screenshot of the receipt instead."
        ),
    ),
    "pdf_page_too_large": (
        422,
        _(
            "A page of the PDF is far larger than a receipt. Please upload a photo or a "
            "screenshot of the receipt instead."
        ),
    ),
}


def refuse(code: str) -> UploadRefused:
    """Build the refusal for a code from the table."""
    status, message = REFUSALS[code]
    return UploadRefused(code, message, status)


def inspect_upload(data: bytes, *, declared_name: str = "", declared_type: str = "") -> SafeFile:
    """Vet one uploaded file and return what to store, or raise UploadRefused.

    The declared name and type never decide anything; they only word the refusal of a file
    whose content is no allowed kind ("named .pdf but is not a PDF").
    """
    if len(data) == 0:
        raise refuse("empty_file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse("file_too_large")
    data = bytes(data)
    try:
        kind = _sniff(data)
    except UploadRefused as refused:
        if refused.code != "unsupported_type":
            raise
        raise refuse(_promised_kind(declared_name, declared_type)) from None
    if kind == KIND_PDF:
        pages, pdf_page = _vet_pdf(data)
        stored, width, height = data, None, None
    else:
        stored, width, height = _reencode_image(data, kind)
        pages, pdf_page = 1, None
    out_type = KIND_PDF if kind == KIND_PDF else KIND_JPEG
    extension = ".pdf" if out_type == KIND_PDF else ".jpg"
    return SafeFile(
        data=stored,
        content_type=out_type,
        extension=extension,
        page_count=pages,
        width=width,
        height=height,
        sha256=hashlib.sha256(stored).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_type=kind,
        original_size=len(data),
        display_name=safe_display_name(declared_name, extension),
        pdf_page=pdf_page,
    )


# --- sniffing -----------------------------------------------------------------

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def _sniff(data: bytes) -> str:
    """Name the allowed kind the bytes start with, or refuse."""
    if data.startswith(b"\xff\xd8\xff"):
        return KIND_JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return KIND_PNG
    if data.startswith(b"%PDF-"):
        return KIND_PDF
    # Readers look for the header in the first KiB, so junk before it is how a
    # file gets to be "a PDF" to a viewer and something else to a browser.
    if b"%PDF-" in data[:1024]:
        raise refuse("polyglot")
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise refuse("unsupported_heic")
    raise refuse("unsupported_type")


_PROMISES = {".pdf": "not_a_pdf", ".jpg": "not_a_jpeg", ".jpeg": "not_a_jpeg",
             "application/pdf": "not_a_pdf", "image/jpeg": "not_a_jpeg"}


def _promised_kind(declared_name: str, declared_type: str) -> str:
    """The refusal code for content that is no allowed kind, by what its name promised."""
    suffix = PurePath(declared_name.strip().lower()).suffix
    if suffix:
        return _PROMISES.get(suffix, "unsupported_type")
    return _PROMISES.get(declared_type.split(";")[0].strip().lower(), "unsupported_type")


_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>]|iframe[\s>]"
    rb"|object[\s>]|embed[\s>]|meta\s+http-equiv)",
    re.IGNORECASE,
)


def _refuse_foreign_payloads(data: bytes) -> None:
    """Refuse files that another program would read as a ZIP or as HTML."""
    # Every pattern is at least six bytes long, so random compressed data (JPEG
    # scans, PDF streams) matches about once in 400,000 full-size uploads; SVG is
    # left out because "<svg>" is short enough to turn up by chance. A real hit
    # is deliberate.
    if _MARKUP.search(data):
        raise refuse("polyglot")
    # A ZIP reader finds the archive from the end of the file whatever comes
    # first, which is how JAR/ZIP+JPEG polyglots work. Opening it the way such a
    # reader would, rather than looking for "PK" bytes, avoids chance hits.
    if b"PK\x05\x06" in data[-(65_536 + 22) :]:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
            entries = []
        if entries:
            raise refuse("polyglot")


def _check_trailer(trailer: bytes) -> None:
    """Refuse anything after the end marker but padding and a few stray bytes."""
    rest = trailer.strip(b"\x00\xff \t\r\n\x0c")
    if len(rest) > TRAILER_TOLERANCE:
        raise refuse("polyglot")


# --- images -------------------------------------------------------------------

_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
# After SOS: the next marker is 0xFF followed by anything but a stuffed zero,
# a restart marker or another fill byte.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _walk_jpeg(data: bytes, start: int) -> tuple[int, int, int]:
    """Walk one JPEG's segments from SOI; return (end offset, width, height)."""
    if data[start : start + 2] != b"\xff\xd8":
        raise refuse("image_unreadable")
    pos = start + 2
    width = height = 0
    seen_scan = False
    end = len(data)
    while True:
        if pos >= end or data[pos] != 0xFF:
            raise refuse("image_unreadable")
        while pos < end and data[pos] == 0xFF:
            pos += 1
        if pos >= end:
            raise refuse("image_unreadable")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            if not seen_scan or not width:
                raise refuse("image_unreadable")
            return pos, width, height
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > end:
            raise refuse("image_unreadable")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > end:
            raise refuse("image_unreadable")
        if marker in _SOF_MARKERS and not width:
            if length < 7:
                raise refuse("image_unreadable")
            height, width = struct.unpack_from(">HH", data, pos + 3)
        pos += length
        if marker == 0xDA:
            seen_scan = True
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise refuse("image_unreadable")  # truncated: no EOI after the scan
            pos = found.start()


def _vet_jpeg_structure(data: bytes) -> tuple[int, int]:
    """Check a JPEG's layout and what follows its EOI; return its dimensions."""
    pos, width, height = _walk_jpeg(data, 0)
    for _i in range(MAX_APPENDED_JPEGS):
        if not data.startswith(b"\xff\xd8\xff", pos):
            break
        pos, _w, _h = _walk_jpeg(data, pos)
    _check_trailer(data[pos:])
    return width, height


def _vet_png_structure(data: bytes) -> tuple[int, int]:
    """Check a PNG's chunk layout up to IEND; return its dimensions."""
    pos = 8
    width = height = 0
    end = len(data)
    first = True
    while True:
        if pos + 8 > end:
            raise refuse("image_unreadable")
        length, ctype = struct.unpack_from(">I4s", data, pos)
        if pos + 12 + length > end:
            raise refuse("image_unreadable")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise refuse("image_unreadable")
            width, height = struct.unpack_from(">II", data, pos + 8)
            first = False
        pos += 12 + length
        if ctype == b"IEND":
            break
    _check_trailer(data[pos:])
    return width, height


def _reencode_image(data: bytes, kind: str) -> tuple[bytes, int, int]:
    """Decode an image fully, apply its orientation and write a clean JPEG."""
    if kind == KIND_JPEG:
        width, height = _vet_jpeg_structure(data)
        formats = ["JPEG"]
    else:
        width, height = _vet_png_structure(data)
        formats = ["PNG"]
    _refuse_foreign_payloads(data)
    if width <= 0 or height <= 0:
        raise refuse("image_unreadable")
    # Checked from the header ourselves rather than by lowering Pillow's global
    # MAX_IMAGE_PIXELS, which would leak into every other use of Pillow.
    if width * height > MAX_PIXELS:
        raise refuse("image_too_many_pixels")
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data), formats=formats) as im:
            if im.width * im.height > MAX_PIXELS:
                raise refuse("image_too_many_pixels")
            im.load()
            return _write_jpeg(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own (global) guard is a backstop; the warning is an error
        # under pytest and a plain warning in production.
        raise refuse("image_too_many_pixels") from exc
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
        raise refuse("image_unreadable") from exc


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation to the pixels, ignoring broken EXIF."""
    try:
        return ImageOps.exif_transpose(im)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError, struct.error):
        # Unreadable EXIF only costs the rotation, not the receipt.
        return im


def _flatten(im: Image.Image) -> Image.Image:
    """Convert any Pillow mode to L or RGB, putting transparency on white."""
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("1", "L"):
        return im.convert("L")
    if im.mode.startswith("I"):
        # 16-bit greyscale: scale to 8 bits instead of clipping to white.
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if im.mode != "RGB":
        return im.convert("RGB")
    return im


def _write_jpeg(im: Image.Image) -> tuple[bytes, int, int]:
    """Encode pixels as a baseline JPEG with no metadata at all."""
    clean = _flatten(_upright(im))
    if clean is im:
        clean = im.copy()
    # EXIF, XMP, ICC and comments live in info; an empty info means none is written.
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, exif=b"", optimize=False)
    return out.getvalue(), clean.width, clean.height


# --- PDFs ---------------------------------------------------------------------

_SCRIPT_NAMES = frozenset({"JS", "JavaScript", "AA", "Launch", "RichMedia", "XFA"})
_EMBED_NAMES = frozenset({"EmbeddedFiles", "EmbeddedFile", "FileAttachment", "GoToE"})
# Only long names are looked for in the raw bytes: short ones like /JS or /AA
# turn up by chance in compressed binary streams; the parsers cover those.
_RAW_SCRIPT = frozenset({"JavaScript", "RichMedia"})
_RAW_EMBED = frozenset({"EmbeddedFiles", "EmbeddedFile", "FileAttachment"})
_NAME_TOKEN = re.compile(rb"/((?:[A-Za-z0-9_.\-]|#[0-9A-Fa-f]{2})+)")
_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b.{0,2000}?stream(?:\r\n|\n|\r)", re.DOTALL)
_EOF = re.compile(rb"%%EOF")
_ENCRYPT = re.compile(rb"/Encrypt\b")


def _decode_name(raw: bytes) -> str:
    """Undo #xx escapes in a PDF name, which are how /JavaScript gets disguised."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode(
        "latin-1"
    )


def _names_in(blob: bytes) -> set[str]:
    """Collect every PDF name token in a blob of PDF syntax."""
    return {_decode_name(m.group(1)) for m in _NAME_TOKEN.finditer(blob)}


def _inflated_object_streams(data: bytes) -> Iterator[bytes]:
    """Inflate every object stream found in the raw bytes, within a budget."""
    budget = MAX_OBJSTM_INFLATED
    view = memoryview(data)
    for match in _OBJSTM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(view[match.end() :], budget)
        except zlib.error:
            continue  # not Flate, or damaged: pypdf and pdfium judge it instead
        budget -= len(chunk)
        yield chunk
        if budget <= 0:
            raise refuse("pdf_unreadable")


def _judge_names(names: set[str], script: frozenset[str], embed: frozenset[str]) -> None:
    """Refuse if any dangerous name is present."""
    if names & script:
        raise refuse("pdf_javascript")
    if names & embed:
        raise refuse("pdf_embedded_files")


def _vet_pdf(data: bytes) -> tuple[int, PdfPage | None]:
    """Vet a PDF with three independent readers; return its page count and first page."""
    if not re.match(rb"%PDF-[12]\.\d", data):
        raise refuse("pdf_unreadable")
    eofs = list(_EOF.finditer(data))
    if not eofs:
        raise refuse("pdf_unreadable")
    _check_trailer(data[eofs[-1].end() :])
    if _ENCRYPT.search(data):
        raise refuse("pdf_encrypted")
    # Before any parser inflates a stream: a few MB can inflate to gigabytes.
    if not inflated_size_within(data):
        raise refuse("pdf_too_complex")
    _judge_names(_names_in(data), _RAW_SCRIPT, _RAW_EMBED)
    for inflated in _inflated_object_streams(data):
        _judge_names(_names_in(inflated), _SCRIPT_NAMES, _EMBED_NAMES)
    # After the name checks so that an attached HTML file gets the clearer code.
    _refuse_foreign_payloads(data)
    _walk_pdf_objects(data)
    return _pdfium_pages(data)


def _walk_pdf_objects(data: bytes) -> None:
    """Walk every object pypdf can reach or list, looking at keys and names."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    containers = (IndirectObject, DictionaryObject, ArrayObject)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refuse("pdf_encrypted")
        declared = sum(len(entries) for entries in reader.xref.values())
        if declared + len(reader.xref_objStm) > MAX_PDF_OBJECTS:
            raise refuse("pdf_unreadable")
        stack: list[Any] = [reader.trailer]
        # Unreferenced objects count too: pdfium rebuilds a broken xref by scanning.
        for gen, entries in reader.xref.items():
            stack.extend(IndirectObject(num, gen, reader) for num in entries)
        stack.extend(IndirectObject(num, 0, reader) for num in reader.xref_objStm)
        seen: set[tuple[int, int]] = set()
        visited = 0
        while stack:
            visited += 1
            if visited > MAX_PDF_NODES:
                raise refuse("pdf_unreadable")
            node = stack.pop()
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in seen:
                    continue
                seen.add(key)
                node = node.get_object()
            if isinstance(node, DictionaryObject):
                names = {str(k).lstrip("/") for k in node}
                names |= {str(v).lstrip("/") for v in node.values() if isinstance(v, NameObject)}
                _judge_names(names, _SCRIPT_NAMES, _EMBED_NAMES)
                stack.extend(v for v in node.values() if isinstance(v, containers))
            elif isinstance(node, ArrayObject):
                names = {str(v).lstrip("/") for v in node if isinstance(v, NameObject)}
                _judge_names(names, _SCRIPT_NAMES, _EMBED_NAMES)
                stack.extend(v for v in node if isinstance(v, containers))
    except UploadRefused:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, OSError, RecursionError, zlib.error) as exc:  # fmt: skip
        raise refuse("pdf_unreadable") from exc


def _pdfium_pages(data: bytes) -> tuple[int, PdfPage | None]:
    """Open the PDF with pdfium, the engine browsers use, in the limited child; count pages.

    The same child renders the first page for the readability measure that follows.
    """
    try:
        info = pdf_inspect(data, max_pages=MAX_PDF_PAGES, first_page=READABILITY_PDF_PAGE)
    except PdfLimitExceeded as exc:
        raise refuse("pdf_too_complex") from exc
    except ValueError as exc:
        raise refuse(str(exc) if str(exc) in REFUSALS else "pdf_unreadable") from exc
    if not all(page_within_limits(width, height) for width, height in info.sizes):
        raise refuse("pdf_page_too_large")
    return info.pages, info.first_page


# --- display name -------------------------------------------------------------

_UNSAFE_NAME_CHARS = re.compile(r"[^\w .,()+\-]")


def safe_display_name(declared_name: str, extension: str) -> str:
    """Make a client file name fit for showing back, never for the file system."""
    base = re.split(r"[/\\]", declared_name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    # Drops control, format (bidi overrides, zero-width) and unassigned characters.
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = _UNSAFE_NAME_CHARS.sub("_", base)
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" ._") or "receipt"
    return stem[: MAX_DISPLAY_NAME - len(extension)].rstrip(" .") + extension
