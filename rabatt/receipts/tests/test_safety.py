"""Test that uploads are vetted: hostile files refused, honest receipts cleaned and kept."""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
from PIL import Image

from rabatt.receipts import safety
from rabatt.receipts.safety import (
    MAX_FILES_PER_CLAIM,
    MAX_UPLOAD_BYTES,
    REFUSALS,
    SafeFile,
    UploadRefused,
    inspect_upload,
    safe_display_name,
)
from rabatt.receipts.tests import hostile


def refused(data: bytes, name: str = "upload.bin", ctype: str = "") -> UploadRefused:
    """Run the inspection and return the refusal it must raise."""
    with pytest.raises(UploadRefused) as info:
        inspect_upload(data, declared_name=name, declared_type=ctype)
    return info.value


def decode(data: bytes) -> Image.Image:
    """Decode stored bytes fully, as a viewer would."""
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


@pytest.fixture(scope="module")
def pixel_bomb() -> bytes:
    """Build the 30000×30000 PNG once; it takes most of a second."""
    return hostile.png_pixel_bomb()


REFUSED_CASES: list[tuple[str, Callable[[], bytes], str, str, str, int]] = [
    # (id, factory, declared name, declared type, code, status)
    ("empty", lambda: b"", "r.jpg", "image/jpeg", "empty_file", 422),
    ("too-large-by-one", lambda: hostile.padded_jpeg(MAX_UPLOAD_BYTES + 1), "r.jpg",
     "image/jpeg", "file_too_large", 413),
    ("too-large-garbage", lambda: b"\0" * (MAX_UPLOAD_BYTES + 1), "r.jpg", "image/jpeg",
     "file_too_large", 413),
    ("zip", hostile.zip_archive, "receipt.zip", "application/zip", "unsupported_type", 415),
    # Refused whatever the name; the name only words the message ("named .pdf but is not").
    ("html-named-pdf", hostile.html_page, "receipt.pdf", "application/pdf", "not_a_pdf", 415),
    ("html-declared-pdf", hostile.html_page, "receipt", "application/pdf", "not_a_pdf", 415),
    ("svg-named-jpg", hostile.svg_image, "receipt.jpg", "image/jpeg", "not_a_jpeg", 415),
    ("exe-named-jpeg", hostile.windows_exe, "Receipt.JPEG", "image/jpeg", "not_a_jpeg", 415),
    ("exe-named-exe", hostile.windows_exe, "receipt.exe", "application/pdf",
     "unsupported_type", 415),
    ("gif", hostile.gif, "receipt.gif", "image/gif", "unsupported_type", 415),
    ("heic", hostile.heic_header, "IMG_0001.HEIC", "image/heic", "unsupported_heic", 415),
    ("jpeg+zip", hostile.jpeg_plus_zip, "receipt.jpg", "image/jpeg", "polyglot", 422),
    ("jpeg-zip-in-comment", hostile.jpeg_with_zip_in_comment, "r.jpg", "image/jpeg",
     "polyglot", 422),
    ("pdf-zip-in-stream", hostile.pdf_with_zip_in_stream, "r.pdf", "application/pdf",
     "polyglot", 422),
    ("jpeg+junk", lambda: hostile.jpeg_with_trailer(b"x" * 200), "r.jpg", "image/jpeg",
     "polyglot", 422),
    ("jpeg+html-comment", lambda: hostile.jpeg_with_comment(b"<html><script>x</script>"),
     "r.jpg", "image/jpeg", "polyglot", 422),
    ("png+trailer", lambda: hostile.png() + b"PK\x03\x04" + b"A" * 100, "s.png", "image/png",
     "polyglot", 422),
    ("pdf-header-after-junk", hostile.pdf_header_after_junk, "r.pdf", "application/pdf",
     "polyglot", 422),
    ("pdf+zip", hostile.pdf_plus_zip, "r.pdf", "application/pdf", "polyglot", 422),
    ("pdf+html", hostile.pdf_with_html, "r.pdf", "application/pdf", "polyglot", 422),
    ("pdf+junk-after-eof", lambda: hostile.pdf_with_trailer(b"<!-- " + b"A" * 64),
     "r.pdf", "application/pdf", "polyglot", 422),
    ("truncated-jpeg", hostile.truncated_jpeg, "r.jpg", "image/jpeg", "image_unreadable", 422),
    ("jpeg-soi-only", lambda: b"\xff\xd8\xff\xe0", "r.jpg", "image/jpeg",
     "image_unreadable", 422),
    ("png-bad-crc", hostile.png_bad_crc, "s.png", "image/png", "image_unreadable", 422),
    ("jpeg-65000x65000", lambda: hostile.jpeg_claiming_pixels(65000, 65000), "r.jpg",
     "image/jpeg", "image_too_many_pixels", 422),
    ("jpeg-just-over-40mp", lambda: hostile.jpeg_claiming_pixels(8000, 5001), "r.jpg",
     "image/jpeg", "image_too_many_pixels", 422),
    ("pdf-openaction-js", hostile.pdf_openaction_js, "r.pdf", "application/pdf",
     "pdf_javascript", 422),
    ("pdf-js-hex-escaped", hostile.pdf_js_hex_escaped, "r.pdf", "application/pdf",
     "pdf_javascript", 422),
    ("pdf-js-in-objstm", hostile.pdf_js_in_object_stream, "r.pdf", "application/pdf",
     "pdf_javascript", 422),
    ("pdf-document-js", hostile.pdf_document_js, "r.pdf", "application/pdf",
     "pdf_javascript", 422),
    ("pdf-page-aa", hostile.pdf_page_aa, "r.pdf", "application/pdf", "pdf_javascript", 422),
    ("pdf-embedded-file", hostile.pdf_embedded_file, "r.pdf", "application/pdf",
     "pdf_embedded_files", 422),
    ("pdf-attachment-annot", hostile.pdf_file_attachment_annotation, "r.pdf",
     "application/pdf", "pdf_embedded_files", 422),
    ("pdf-encrypted-user-pw", hostile.pdf_encrypted, "r.pdf", "application/pdf",
     "pdf_encrypted", 422),
    ("pdf-encrypted-owner-only", lambda: hostile.pdf_encrypted(""), "r.pdf",
     "application/pdf", "pdf_encrypted", 422),
    ("pdf-garbage", hostile.pdf_garbage, "r.pdf", "application/pdf", "pdf_unreadable", 422),
    ("pdf-no-eof", lambda: hostile.pdf_text(1).replace(b"%%EOF", b""), "r.pdf",
     "application/pdf", "pdf_unreadable", 422),
    ("pdf-no-pages", hostile.pdf_no_pages, "r.pdf", "application/pdf", "pdf_unreadable", 422),
    ("pdf-21-pages", lambda: hostile.pdf_text(21), "r.pdf", "application/pdf",
     "too_many_pages", 422),
]  # fmt: skip


@pytest.mark.parametrize(
    ("factory", "name", "ctype", "code", "status"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSED_CASES],
)
def test_refused(
    factory: Callable[[], bytes], name: str, ctype: str, code: str, status: int
) -> None:
    """Refuse each hostile file with its exact code and HTTP status."""
    exc = refused(factory(), name, ctype)
    assert (exc.code, exc.status) == (code, status)
    assert str(exc.message)


def test_pixel_bomb_refused_before_decoding(pixel_bomb: bytes) -> None:
    """Refuse a 900-megapixel PNG that is only ~100 KB on the wire."""
    assert len(pixel_bomb) < 200_000
    exc = refused(pixel_bomb, "screenshot.png", "image/png")
    assert (exc.code, exc.status) == ("image_too_many_pixels", 422)


def test_pixel_bomb_caught_by_pillow_backstop(
    pixel_bomb: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Map Pillow's own DecompressionBombError to the same refusal."""
    monkeypatch.setattr(safety, "MAX_PIXELS", 10**12)
    exc = refused(pixel_bomb, "screenshot.png", "image/png")
    assert exc.code == "image_too_many_pixels"


def test_encrypted_aes_refused() -> None:
    """Refuse AES-256 encryption too, when pypdf can write it."""
    pytest.importorskip("cryptography")
    exc = refused(hostile.pdf_encrypted("secret", "AES-256"), "r.pdf")
    assert exc.code == "pdf_encrypted"


# --- each PDF reader layer alone -----------------------------------------------


def _only_raw(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave only the raw byte scan (with object-stream inflation) switched on."""
    monkeypatch.setattr(safety, "_refuse_foreign_payloads", lambda data: None)
    monkeypatch.setattr(safety, "_walk_pdf_objects", lambda data: None)
    monkeypatch.setattr(safety, "_pdfium_pages", lambda data: 1)


def _only_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave only the pypdf object walk switched on."""
    monkeypatch.setattr(safety, "_refuse_foreign_payloads", lambda data: None)
    monkeypatch.setattr(safety, "_inflated_object_streams", lambda data: iter(()))
    monkeypatch.setattr(safety, "_RAW_SCRIPT", frozenset())
    monkeypatch.setattr(safety, "_RAW_EMBED", frozenset())
    monkeypatch.setattr(safety, "_pdfium_pages", lambda data: 1)


@pytest.mark.parametrize("only", [_only_raw, _only_pypdf], ids=["raw", "pypdf"])
@pytest.mark.parametrize(
    ("factory", "code"),
    [
        (hostile.pdf_js_in_object_stream, "pdf_javascript"),
        (hostile.pdf_js_hex_escaped, "pdf_javascript"),
        (hostile.pdf_embedded_file, "pdf_embedded_files"),
    ],
)
def test_each_pdf_layer_alone_finds_hidden_names(
    only: Callable[[pytest.MonkeyPatch], None],
    factory: Callable[[], bytes],
    code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Find JavaScript and attachments even if the other layers missed them."""
    only(monkeypatch)
    assert refused(factory()).code == code


@pytest.mark.parametrize(
    ("factory", "code"),
    [
        (hostile.pdf_document_js, "pdf_javascript"),
        (hostile.pdf_embedded_file, "pdf_embedded_files"),
    ],
)
def test_pdfium_alone_finds_document_js_and_attachments(
    factory: Callable[[], bytes], code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Let pdfium, the engine that would render the file, have its own say."""
    monkeypatch.setattr(safety, "_judge_names", lambda *args: None)
    monkeypatch.setattr(safety, "_refuse_foreign_payloads", lambda data: None)
    assert refused(factory()).code == code


def test_pdfium_alone_refuses_password_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Map pdfium's password error to pdf_encrypted."""
    monkeypatch.setattr(safety, "_ENCRYPT", re.compile(rb"(?!)"))
    monkeypatch.setattr(safety, "_walk_pdf_objects", lambda data: None)
    assert refused(hostile.pdf_encrypted("secret")).code == "pdf_encrypted"


# --- acceptance ---------------------------------------------------------------


def test_exactly_two_mib_accepted() -> None:
    """Accept a valid JPEG of exactly 2,097,152 bytes (padding in COM is not a polyglot)."""
    data = hostile.padded_jpeg(MAX_UPLOAD_BYTES)
    assert len(data) == 2_097_152
    safe = inspect_upload(data, declared_name="big.jpg")
    assert safe.content_type == "image/jpeg"
    assert safe.original_size == 2_097_152
    assert safe.size < 10_000  # the padding is gone
    assert decode(safe.data).size == (64, 48)


@pytest.mark.parametrize(
    ("factory", "size"),
    [
        pytest.param(hostile.jpeg, (64, 48), id="baseline"),
        pytest.param(hostile.progressive_jpeg, (128, 96), id="progressive"),
        pytest.param(hostile.cmyk_jpeg, (40, 30), id="cmyk"),
        pytest.param(hostile.jpeg_plus_jpeg, (64, 48), id="appended-jpeg"),
        pytest.param(hostile.mpo, (64, 48), id="mpo"),
        pytest.param(lambda: hostile.jpeg_with_trailer(b"\0" * 3000), (64, 48), id="nul-pad"),
        pytest.param(lambda: hostile.jpeg_with_trailer(b"\r\nxyz"), (64, 48), id="stray"),
        pytest.param(lambda: hostile.jpeg_with_comment(b"Kvittering"), (64, 48), id="comment"),
        pytest.param(lambda: hostile.png("RGB"), (50, 30), id="png-rgb"),
        pytest.param(lambda: hostile.png("L"), (50, 30), id="png-grey"),
        pytest.param(lambda: hostile.png("I;16"), (50, 30), id="png-16bit"),
        pytest.param(hostile.png, (50, 30), id="png-rgba"),
    ],
)
def test_image_accepted_and_reencoded(factory: Callable[[], bytes], size: tuple[int, int]) -> None:
    """Accept honest images and store a fresh JPEG that decodes."""
    original = factory()
    safe = inspect_upload(original, declared_name="photo.png", declared_type="image/png")
    assert isinstance(safe, SafeFile)
    assert safe.content_type == "image/jpeg"
    assert safe.extension == ".jpg"
    assert safe.display_name == "photo.jpg"
    assert (safe.width, safe.height, safe.page_count) == (*size, 1)
    assert safe.sha256 == hashlib.sha256(safe.data).hexdigest()
    assert safe.original_sha256 == hashlib.sha256(original).hexdigest()
    assert safe.converted
    im = decode(safe.data)
    assert im.format == "JPEG"
    assert im.size == size
    assert im.mode in ("RGB", "L")


def test_png_transparency_flattened_on_white() -> None:
    """Put transparent screenshot areas on white, not black."""
    im = decode(inspect_upload(hostile.png()).data).convert("RGB")
    r, g, b = im.getpixel((45, 15))  # type: ignore[misc]
    assert min(r, g, b) > 240
    r, g, b = im.getpixel((5, 15))  # type: ignore[misc]
    assert b > 150
    assert r < 80


def test_exif_gps_dropped_and_orientation_applied() -> None:
    """Strip EXIF (GPS above all) after rotating the pixels the way the camera meant."""
    original = hostile.jpeg_with_gps_and_orientation(6)
    before = Image.open(io.BytesIO(original)).getexif()
    assert before.get_ifd(0x8825)[2] == (59.0, 54.0, 42.0)  # the fixture does carry GPS
    assert before[0x0112] == 6

    safe = inspect_upload(original, declared_name="IMG_2041.JPG")
    assert b"Exif\0\0" not in safe.data
    assert b"RabattPhone" not in safe.data
    im = decode(safe.data)
    assert not im.getexif()
    assert "exif" not in im.info
    assert "icc_profile" not in im.info
    # Stored 60×40 with a red block top-left; orientation 6 turns it 90° clockwise.
    assert im.size == (40, 60) == (safe.width, safe.height)
    r, g, b = im.convert("RGB").getpixel((36, 3))  # type: ignore[misc]
    assert r > 200
    assert max(g, b) < 80
    r, g, b = im.convert("RGB").getpixel((3, 3))  # type: ignore[misc]
    assert min(r, g, b) > 200


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_broken_exif_still_accepted() -> None:
    """Keep a photo whose EXIF block is garbage; only the rotation is lost."""
    base = hostile.jpeg()
    app1 = b"Exif\0\0" + b"MM\0*\0\0\0\x08\xff\xff" + b"\x13" * 40
    data = base[:2] + b"\xff\xe1" + len(app1 + b"..").to_bytes(2, "big") + app1 + base[2:]
    assert decode(inspect_upload(data).data).size == (64, 48)


@pytest.mark.parametrize(
    ("factory", "pages"),
    [
        pytest.param(lambda: hostile.pdf_text(3), 3, id="three-pages"),
        pytest.param(lambda: hostile.pdf_text(20), 20, id="twenty-pages"),
        pytest.param(hostile.pdf_clean_object_stream, 2, id="object-streams"),
        pytest.param(hostile.pdf_openaction_goto, 1, id="openaction-goto"),
        pytest.param(lambda: hostile.pdf_with_trailer(b"\r\n\0\0"), 1, id="eof-padding"),
    ],
)
def test_pdf_accepted_unchanged(factory: Callable[[], bytes], pages: int) -> None:
    """Accept honest PDFs as they are and count their pages."""
    original = factory()
    safe = inspect_upload(original, declared_name="Faktura 2026-03.pdf")
    assert safe.data == original
    assert not safe.converted
    assert (safe.content_type, safe.extension) == ("application/pdf", ".pdf")
    assert safe.page_count == pages
    assert (safe.width, safe.height) == (None, None)
    assert safe.display_name == "Faktura 2026-03.pdf"
    assert safe.sha256 == safe.original_sha256 == hashlib.sha256(original).hexdigest()


def test_pdf_text_layer_survives() -> None:
    """Keep the text layer an agent (or OCR-free search) relies on."""
    safe = inspect_upload(hostile.pdf_text(2))
    pdf = pdfium.PdfDocument(safe.data)
    try:
        text = pdf[1].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "Receipt page 2" in text


def test_declared_name_and_type_never_decide() -> None:
    """Judge the bytes: a JPEG called .pdf is a JPEG, HTML called image/jpeg is refused."""
    safe = inspect_upload(hostile.jpeg(), declared_name="x.pdf", declared_type="application/pdf")
    assert safe.content_type == "image/jpeg"
    assert safe.display_name == "x.jpg"
    exc = refused(hostile.html_page(), "x.jpg", "image/jpeg")
    assert exc.status == 415


def test_realistic_photo_is_fast() -> None:
    """Vet a 12-megapixel, ~1.3 MB phone photo well within a second."""
    noise = Image.effect_noise((4000, 3000), 8)
    ramp = Image.linear_gradient("L").resize((4000, 3000))
    out = io.BytesIO()
    Image.merge("RGB", (noise, ramp, noise)).save(out, format="JPEG", quality=85)
    data = out.getvalue()
    assert 1_000_000 < len(data) <= MAX_UPLOAD_BYTES
    start = time.perf_counter()
    safe = inspect_upload(data)
    elapsed = time.perf_counter() - start
    assert (safe.width, safe.height) == (4000, 3000)
    assert elapsed < 1.5, elapsed  # typically ~0.2 s; slack for a busy CI box


# --- names, messages, constants -----------------------------------------------


@pytest.mark.parametrize(
    ("declared", "extension", "expected"),
    [
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\Users\\Kari\\Kvittering mars.PNG", ".jpg", "Kvittering mars.jpg"),
        ("invoice\u202egpj.exe", ".pdf", "invoicegpj.pdf"),
        ("<script>alert(1)</script>.pdf", ".pdf", "script.pdf"),
        ("Blåbær\u00a0kvittering.jpeg", ".jpg", "Blåbær kvittering.jpg"),
        ("", ".jpg", "receipt.jpg"),
        ("...", ".pdf", "receipt.pdf"),
        (".htaccess", ".pdf", "htaccess.pdf"),
        ("a\x00b\nc.pdf", ".pdf", "abc.pdf"),
        ("x" * 300 + ".pdf", ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_safe_display_name(declared: str, extension: str, expected: str) -> None:
    """Make display names plain, short and carrying the stored kind's extension."""
    name = safe_display_name(declared, extension)
    assert name == expected
    assert len(name) <= 100


def test_every_code_has_status_and_translatable_message() -> None:
    """Keep the code table stable: 413 for size, 415 for type, 422 for the rest."""
    assert MAX_UPLOAD_BYTES == 2_097_152
    assert MAX_FILES_PER_CLAIM == 10
    expected = {
        "file_too_large": 413,
        "unsupported_type": 415,
        "not_a_pdf": 415,
        "not_a_jpeg": 415,
        "unsupported_heic": 415,
    }
    for code, (status, message) in REFUSALS.items():
        assert status == expected.get(code, 422), code
        assert type(message).__name__ == "__proxy__", code  # gettext_lazy
        assert str(message).endswith("."), code


def test_pdf_with_too_many_objects_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse object graphs too big to walk quickly, before walking them."""
    monkeypatch.setattr(safety, "MAX_PDF_OBJECTS", 50)
    chain = {n: b"<< /Next %d 0 R >>" % (n + 1) for n in range(100, 160)}
    chain[160] = b"<< >>"
    assert refused(hostile.pdf_text(1, more=chain)).code == "pdf_unreadable"


# --- bombs ----------------------------------------------------------------------


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_deflate_bomb_pdf_is_refused_with_a_clear_message_and_flat_memory() -> None:
    bomb = hostile.pdf_deflate_bomb(1100)
    assert len(bomb) < MAX_UPLOAD_BYTES
    before = _peak_rss()
    refusal = refused(bomb, "receipt.pdf")
    assert refusal.code == "pdf_too_complex"
    assert refusal.status == 422
    assert str(refusal.message) == (
        "The PDF is too large or too complex to check safely. Please upload a photo or a "
        "screenshot of the receipt instead."
    )
    assert _peak_rss() - before < 64 * 1024 * 1024


def test_huge_page_pdf_is_refused_with_a_clear_message_and_flat_memory() -> None:
    data = hostile.pdf_huge_page(7200)
    assert len(data) < 1024
    before = _peak_rss()
    refusal = refused(data, "receipt.pdf")
    assert refusal.code == "pdf_page_too_large"
    assert refusal.status == 422
    assert str(refusal.message) == (
        "A page of the PDF is far larger than a receipt. Please upload a photo or a "
        "screenshot of the receipt instead."
    )
    assert _peak_rss() - before < 64 * 1024 * 1024


def test_a_till_roll_pdf_is_accepted() -> None:
    safe = inspect_upload(hostile.pdf_one_page(b"0 0 m 10 10 l S", size=(230, 5000)),
                          declared_name="roll.pdf")
    assert safe.page_count == 1
    assert safe.content_type == "application/pdf"
