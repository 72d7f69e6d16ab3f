"""Build real hostile and benign upload files in memory for the safety tests.

Nothing here is a committed binary: every file is made from scratch so that the
tests show exactly what is inside it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

MIB2 = 2 * 1024 * 1024

# --- images -------------------------------------------------------------------


def jpeg(width: int = 64, height: int = 48, color: str = "white", **save: object) -> bytes:
    """Make a small valid JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG", quality=90, **save)
    return out.getvalue()


def marked_image(width: int = 60, height: int = 40) -> Image.Image:
    """Make a white image with a red block in its top-left corner."""
    im = Image.new("RGB", (width, height), "white")
    im.paste((255, 0, 0), (0, 0, width // 3, height // 3))
    return im


def jpeg_with_gps_and_orientation(orientation: int = 6) -> bytes:
    """Make a JPEG carrying EXIF GPS coordinates and an orientation tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "RabattPhone"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 54.0, 42.0), 3: "E", 4: (10.0, 45.0, 7.0)})
    out = io.BytesIO()
    marked_image().save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def cmyk_jpeg() -> bytes:
    """Make a CMYK JPEG, as some scanners and print workflows write."""
    out = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(out, format="JPEG")
    return out.getvalue()


def progressive_jpeg() -> bytes:
    """Make a progressive JPEG, which has several scans."""
    im = Image.effect_noise((128, 96), 60).convert("RGB")
    out = io.BytesIO()
    im.save(out, format="JPEG", progressive=True, quality=80)
    return out.getvalue()


def jpeg_plus_jpeg() -> bytes:
    """Make a JPEG followed by a second JPEG, as MPF / Ultra HDR gain maps are laid out."""
    return jpeg(64, 48, "blue") + jpeg(32, 24, "gray")


def mpo() -> bytes:
    """Make a multi-picture JPEG (MPF), as stereo and some HDR cameras write."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (64, 48), "blue")
    first.save(out, format="MPO", save_all=True, append_images=[second])
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """Cut a noisy JPEG off in the middle of its scan data."""
    data = progressive_jpeg()
    return data[: len(data) * 2 // 3]


def jpeg_plus_zip() -> bytes:
    """Make a JPEG that is also a valid ZIP archive (ZIP appended after EOI)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.html", "<script>alert(document.cookie)</script>")
    return jpeg() + archive.getvalue()


def jpeg_with_zip_in_comment() -> bytes:
    """Hide a ZIP archive inside a JPEG comment segment, where EOI stays last."""
    return jpeg_with_comment(zip_archive())


def jpeg_with_trailer(trailer: bytes) -> bytes:
    """Make a JPEG with arbitrary bytes after its EOI."""
    return jpeg() + trailer


def jpeg_with_comment(comment: bytes) -> bytes:
    """Make a JPEG with a COM segment right after SOI."""
    base = jpeg()
    return base[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + base[2:]


def padded_jpeg(total: int) -> bytes:
    """Make a valid JPEG of exactly `total` bytes, padded with zero-filled COM segments."""
    base = jpeg()
    need = total - len(base)
    if need < 4 and need != 0:
        raise ValueError("cannot pad by fewer than 4 bytes")
    segments = []
    while need:
        size = min(need, 65537)  # COM: marker (2) + length field (2) + up to 65533 bytes
        if 0 < need - size < 4:
            size -= 4
        segments.append(b"\xff\xfe" + struct.pack(">H", size - 2) + b"\0" * (size - 4))
        need -= size
    data = base[:2] + b"".join(segments) + base[2:]
    assert len(data) == total
    return data


def jpeg_claiming_pixels(width: int, height: int) -> bytes:
    """Make a JPEG whose SOF header claims a huge size (a decompression bomb)."""
    data = bytearray(jpeg(16, 16))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _png_chunk(ctype: bytes, payload: bytes) -> bytes:
    """Frame one PNG chunk with its length and CRC."""
    crc = zlib.crc32(ctype + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", crc)


def png_pixel_bomb(side: int = 30_000) -> bytes:
    """Make a side×side 1-bit PNG of zeros: tiny on disk, side² pixels once decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    deflate = zlib.compressobj(9)
    # Rows are fed in blocks so that the raw image never sits in memory.
    block = row * 1000
    parts = [deflate.compress(block) for _ in range(side // 1000)]
    parts.append(deflate.compress(row * (side % 1000)))
    parts.append(deflate.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def png(mode: str = "RGBA", size: tuple[int, int] = (50, 30)) -> bytes:
    """Make a PNG, by default with a transparent background, like a screenshot."""
    fill: object = (0, 0, 0, 0) if mode == "RGBA" else 0
    im = Image.new(mode, size, fill)  # type: ignore[arg-type]
    im.paste((20, 40, 200, 255) if mode == "RGBA" else 200, (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def png_bad_crc() -> bytes:
    """Flip one byte inside a PNG's IDAT so that its CRC no longer matches."""
    data = bytearray(png())
    idat = data.find(b"IDAT")
    data[idat + 6] ^= 0xFF
    return bytes(data)


def gif() -> bytes:
    """Make a GIF, which is not an accepted type."""
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")
    return out.getvalue()


# --- other file kinds ---------------------------------------------------------


def zip_archive() -> bytes:
    """Make a plain ZIP archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("receipt.pdf", b"%PDF-1.4 not really")
    return out.getvalue()


def html_page() -> bytes:
    """Make an HTML page with a script, to be uploaded under a .pdf name."""
    return b"<!DOCTYPE html><html><body><script>fetch('/api/me')</script></body></html>"


def svg_image() -> bytes:
    """Make an SVG with a script, to be uploaded under a .jpg name."""
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script></svg>"
    )


def windows_exe() -> bytes:
    """Make the start of a PE executable (MZ header and PE signature)."""
    head = bytearray(b"MZ" + b"\0" * 126)
    struct.pack_into("<I", head, 0x3C, 0x80)
    return bytes(head) + b"PE\0\0" + b"\0" * 256


def heic_header() -> bytes:
    """Make the ftyp box an iPhone HEIC photo starts with."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + b"\0" * 64


# --- PDFs ---------------------------------------------------------------------


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    """Frame a stream object body with its dictionary."""
    return b"<< /Length %d %s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def build_pdf(
    objects: dict[int, bytes],
    *,
    root: int = 1,
    compressed: dict[int, bytes] | None = None,
    header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
) -> bytes:
    """Assemble a PDF with correct offsets; `compressed` objects go into a Flate ObjStm."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    if not compressed:
        size = max(offsets) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for num in range(1, size):
            out += (
                b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
            )
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            size,
            root,
            xref,
        )
        return bytes(out)
    stm_num = max([*objects, *compressed]) + 1
    order = sorted(compressed)
    bodies, index, pos = [], [], 0
    for num in order:
        index.append(b"%d %d" % (num, pos))
        bodies.append(compressed[num] + b"\n")
        pos += len(bodies[-1])
    head = b" ".join(index) + b"\n"
    packed = zlib.compress(head + b"".join(bodies))
    offsets[stm_num] = len(out)
    extra = b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(order), len(head))
    out += b"%d 0 obj\n" % stm_num + _stream(packed, extra) + b"\nendobj\n"
    xref_num = stm_num + 1
    size = xref_num + 1
    rows = []
    for num in range(size):
        if num in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[num], 0))
        elif num in compressed:
            rows.append(struct.pack(">BIH", 2, stm_num, order.index(num)))
        elif num == xref_num:
            rows.append(struct.pack(">BIH", 1, len(out), 0))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 0xFFFF))
    xref_at = len(out)
    extra = b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R" % (size, root)
    out += b"%d 0 obj\n" % xref_num + _stream(b"".join(rows), extra) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _text_pages(pages: int, first: int = 10) -> tuple[dict[int, bytes], bytes]:
    """Make page, content and font objects; return them and the /Kids array."""
    objects: dict[int, bytes] = {3: _FONT}
    kids = []
    for i in range(pages):
        page, content = first + 2 * i, first + 2 * i + 1
        text = b"BT /F1 18 Tf 72 720 Td (Receipt page %d: Coffee grinder 1299.00 NOK) Tj ET" % (
            i + 1
        )
        objects[content] = _stream(text)
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(b"%d 0 R" % page)
    return objects, b"[" + b" ".join(kids) + b"]"


def pdf_text(
    pages: int = 3,
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    more: dict[int, bytes] | None = None,
    header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
) -> bytes:
    """Make a valid PDF with a real text layer on every page."""
    objects, kids = _text_pages(pages)
    if page_extra:
        objects[10] = objects[10][:-2] + page_extra + b" >>"
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>"
    objects[2] = b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, pages)
    objects.update(more or {})
    return build_pdf(objects, header=header)


def pdf_openaction_goto() -> bytes:
    """Make a PDF whose OpenAction only jumps to page one, which is harmless."""
    return pdf_text(1, catalog_extra=b"/OpenAction [10 0 R /Fit] ")


def pdf_openaction_js() -> bytes:
    """Make a PDF that runs JavaScript when opened (plain /OpenAction /JS)."""
    return pdf_text(
        1, catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert\\('pwned'\\)) >> "
    )


def pdf_js_hex_escaped() -> bytes:
    """Make an OpenAction JavaScript PDF that spells its names with #xx escapes."""
    return pdf_text(1, catalog_extra=b"/OpenAction << /S /J#61va#53cript /J#53 (app.alert(1)) >> ")


def pdf_document_js() -> bytes:
    """Make a PDF with a document-level JavaScript name tree."""
    return pdf_text(
        1,
        catalog_extra=b"/Names << /JavaScript << /Names [(init) 5 0 R] >> >> ",
        more={5: b"<< /S /JavaScript /JS (app.alert(1)) >>"},
    )


def pdf_page_aa() -> bytes:
    """Make a PDF whose page has an additional action (/AA) on open."""
    return pdf_text(1, page_extra=b" /AA << /O << /S /GoTo /D [10 0 R /Fit] >> >>")


def pdf_js_in_object_stream() -> bytes:
    """Hide a JavaScript OpenAction inside a compressed object stream."""
    objects, kids = _text_pages(1)
    compressed = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        2: b"<< /Type /Pages /Kids %s /Count 1 >>" % kids,
        5: b"<< /S /JavaScript /JS (this.exportDataObject\\({cName: 'x', nLaunch: 2}\\)) >>",
    }
    return build_pdf(objects, compressed=compressed)


def pdf_clean_object_stream(pages: int = 2) -> bytes:
    """Make a valid PDF 1.5+ with its catalog in a compressed object stream."""
    objects, kids = _text_pages(pages)
    compressed = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, pages),
    }
    return build_pdf(objects, compressed=compressed)


def pdf_file_attachment_annotation() -> bytes:
    """Make a PDF with a FileAttachment annotation carrying an embedded file."""
    annot = (
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] "
        b"/FS << /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >> >>"
    )
    return pdf_text(
        1,
        page_extra=b" /Annots [6 0 R]",
        more={6: annot, 7: _stream(b"MZ...", b"/Type /EmbeddedFile")},
    )


def pdf_embedded_file() -> bytes:
    """Make a PDF with an /EmbeddedFiles name tree, written by pypdf."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_text(1))))
    writer.add_attachment("invoice.html", b"<script>alert(1)</script>")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted(opener: str = "letmein", algorithm: str = "RC4-128") -> bytes:
    """Encrypt a valid PDF with pypdf (an empty user password still counts)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_text(1))))
    writer.encrypt(user_password=opener, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_header_after_junk() -> bytes:
    """Put junk before %PDF-, which viewers tolerate and sniffers do not."""
    return b"GIF89a junk before the header\n" + pdf_text(1)


def pdf_plus_zip() -> bytes:
    """Append a ZIP archive after a PDF's %%EOF."""
    return pdf_text(1) + zip_archive()


def pdf_with_html() -> bytes:
    """Make a PDF that also carries an HTML document in a comment."""
    return pdf_text(1, header=b"%PDF-1.7\n%<html><body><script>alert(1)</script></body></html>\n")


def pdf_with_zip_in_stream() -> bytes:
    """Carry a ZIP archive in an uncompressed PDF stream, so both readers accept the file."""
    return pdf_text(1, more={6: _stream(zip_archive())})


def pdf_with_trailer(trailer: bytes) -> bytes:
    """Make a PDF with arbitrary bytes after its last %%EOF."""
    return pdf_text(1) + trailer


def pdf_garbage() -> bytes:
    """Make something that starts like a PDF but has no readable structure."""
    return b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def pdf_no_pages() -> bytes:
    """Make a structurally valid PDF with an empty page tree."""
    return build_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"}
    )


def deflate_bomb(inflated_mib: int) -> bytes:
    """Return a zlib stream of about inflated_mib MiB of spaces, at about 1/1000 the size.

    After a full flush the compressor's state is reset, so compressing the same MiB again
    gives the same bytes: one compressed block repeated is the whole stream, built in a
    moment instead of compressing a gigabyte.
    """
    chunk = b" " * (1 << 20)
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(inflated_mib):
        checksum = zlib.adler32(chunk, checksum)
    # An empty final block, then the Adler-32 of everything, as zlib itself would end.
    return first + block * (inflated_mib - 1) + b"\x03\x00" + struct.pack(">I", checksum)


def pdf_one_page(content: bytes, *, size: tuple[int, int] = (226, 600),
                 flate: bool = False) -> bytes:
    """Return a one-page PDF whose page has the given content stream and size in points."""
    extra = b"/Filter /FlateDecode" if flate else b""
    return build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R >>" % size,
        4: _stream(content, extra),
    })


def pdf_deflate_bomb(inflated_mib: int = 1100) -> bytes:
    """Return a PDF of about 1 MB whose page content inflates to over a GiB."""
    return pdf_one_page(deflate_bomb(inflated_mib), flate=True)


def pdf_huge_page(points: int = 7200) -> bytes:
    """Return a PDF of a few hundred bytes with one square page of ``points`` a side."""
    return pdf_one_page(b"0 0 m 10 10 l S", size=(points, points))
