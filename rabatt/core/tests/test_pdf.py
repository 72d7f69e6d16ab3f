"""Test that PDFs are measured and rendered within limits, in a child that a bomb kills."""

from __future__ import annotations

import resource

import pytest

from rabatt.core import sandbox
from rabatt.core.pdf import (
    MAX_RENDER_PIXELS,
    PageRequest,
    PdfLimitExceeded,
    inflated_size_within,
    page_within_limits,
    pdf_inspect,
    pdf_pages,
    render_scale,
)
from rabatt.receipts.tests import hostile

MIB = 1024 * 1024


def peak_rss() -> int:
    """Return this process's peak resident memory in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """Build a PDF of about 1.1 MB whose page content inflates to 1.1 GiB."""
    return hostile.pdf_deflate_bomb(1100)


def test_the_bomb_is_small_and_inflates_past_a_gibibyte(bomb: bytes) -> None:
    assert len(bomb) < 2 * MIB
    assert not inflated_size_within(bomb, budget=1024 * MIB - 1)


def test_inflated_size_is_counted_without_holding_it(bomb: bytes) -> None:
    before = peak_rss()
    assert inflated_size_within(bomb) is False
    assert peak_rss() - before < 32 * MIB


def test_an_honest_pdf_is_within_the_inflate_budget() -> None:
    assert inflated_size_within(hostile.pdf_text()) is True


def test_the_bomb_kills_the_child_not_the_caller(bomb: bytes) -> None:
    before = peak_rss()
    with pytest.raises(PdfLimitExceeded) as info:
        # Straight to pdfium, past the inflate budget: the child's memory limit must hold.
        pdf_inspect(bomb, max_pages=20)
    assert info.value.reason == "memory"
    assert peak_rss() - before < 64 * MIB


def test_a_huge_page_is_measured_and_rendered_within_the_pixel_cap() -> None:
    data = hostile.pdf_huge_page(7200)
    assert len(data) < 1024
    info = pdf_inspect(data, max_pages=20)
    assert info.pages == 1
    assert info.sizes == ((7200.0, 7200.0),)
    assert not page_within_limits(7200, 7200)
    before = peak_rss()
    [page] = pdf_pages(data, indices=[0], dpi=300)
    assert page.image is not None
    side = int(7200 * render_scale(7200, 7200, dpi=300))
    assert page.image.size in ((side, side), (side + 1, side + 1))
    assert page.image.width * page.image.height <= MAX_RENDER_PIXELS + 2 * side + 1
    # 12 million RGB pixels are 36 MB here; at 300 dpi uncapped they would be 2.7 GB.
    assert peak_rss() - before < 160 * MIB


def test_a_receipt_page_renders_at_the_asked_resolution() -> None:
    [page] = pdf_pages(hostile.pdf_text(), indices=[0], dpi=72)
    assert page.image is not None
    assert page.image.size == (595, 842)
    assert page.chars is None


def test_a_text_page_comes_back_as_characters() -> None:
    [page] = pdf_pages(hostile.pdf_text(), indices=[0], dpi=72, text_min_chars=20)
    assert page.image is None
    assert page.chars is not None
    assert "".join(c[0] for c in page.chars).startswith("Receipt page 1")


def test_page_limits_allow_a_till_roll_and_a4() -> None:
    assert page_within_limits(595, 842)
    assert page_within_limits(230, 5000)
    assert not page_within_limits(6001, 100)
    assert not page_within_limits(0, 100)


def test_pdfium_errors_come_back_as_codes() -> None:
    with pytest.raises(ValueError, match="pdf_unreadable"):
        pdf_inspect(b"%PDF-1.4\nnot a pdf at all\n%%EOF\n", max_pages=20)


def test_an_unknown_job_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sandbox job"):
        sandbox.run("os.system", {}, b"")


def test_a_child_beyond_its_memory_dies_with_a_memory_reason() -> None:
    with pytest.raises(sandbox.SandboxError) as info:
        # An A4 page at 300 dpi is 26 MB of pixels: past the 8 MiB the child may hold.
        sandbox.run("pdf.pages", {"indices": [0], "dpi": 300, "max_pixels": MAX_RENDER_PIXELS,
                                  "grayscale": False}, hostile.pdf_text(), memory_bytes=8 * MIB)
    assert info.value.reason == "memory"


def test_inspection_brings_the_first_page_when_asked() -> None:
    data = hostile.pdf_text()
    assert pdf_inspect(data, max_pages=20).first_page is None
    text = pdf_inspect(data, max_pages=20, first_page=PageRequest(dpi=72, text_min_chars=20))
    assert text.first_page is not None
    assert text.first_page.chars is not None
    assert "".join(c[0] for c in text.first_page.chars).startswith("Receipt page 1")
    pixels = pdf_inspect(data, max_pages=20, first_page=PageRequest(dpi=72))
    assert pixels.first_page is not None
    assert pixels.first_page.image is not None
    assert pixels.first_page.image.size == (595, 842)


def test_a_page_beyond_the_limits_is_measured_but_not_rendered_at_inspection() -> None:
    info = pdf_inspect(hostile.pdf_huge_page(7200), max_pages=20,
                       first_page=PageRequest(dpi=300))
    assert (info.sizes, info.first_page) == (((7200.0, 7200.0),), None)
