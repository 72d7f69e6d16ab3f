"""Tell at upload time whether a photo or scan is sharp and contrasted enough to read."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter

from rabatt.core.pdf import PageRequest, PdfLimitExceeded, PdfPage, pdf_pages

from .document import DocumentError, load_image, sniff_content_type

# Calibrated on 40 development scans (all readable) and blurred copies: at 1000 px width the
# contrast-normalised sharpness is 8.5-130 on the scans (p10 14.6), at most 15.8 after a Gaussian
# blur of radius 1.5 px and at most 7.8 after radius 3 px; project-made photos score about 23,
# and 4-7.5 when blurred by 2 px or more. So strong blur is flagged; mild blur is not.
BLUR_THRESHOLD = 8.0
LOW_CONTRAST_THRESHOLD = 0.2
_WIDTH = 1000
# A PDF's first page is judged as rendered at 150 dpi, or as text when it has a text layer.
PDF_PAGE = PageRequest(dpi=150, text_min_chars=20)
_TILE = 50


@dataclass(frozen=True)
class Readability:
    """How readable an upload looks: a 0-1 score and the reasons to warn the consumer."""

    score: float
    blurry: bool
    low_contrast: bool
    sharpness: float
    contrast: float
    warnings: tuple[Promise, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Return whether no warning applies."""
        return not (self.blurry or self.low_contrast)

    def as_dict(self) -> dict[str, object]:
        """Return the result for JSON, warnings translated to the active language."""
        return {
            "score": round(self.score, 3),
            "blurry": self.blurry,
            "low_contrast": self.low_contrast,
            # A PDF's text layer has no pixels to judge: its sharpness is infinite.
            "sharpness": round(self.sharpness, 1) if math.isfinite(self.sharpness) else None,
            "contrast": round(self.contrast, 3),
            "warnings": [str(w) for w in self.warnings],
        }


def _image_from(data: bytes | Image.Image) -> Image.Image | None:
    if isinstance(data, Image.Image):
        return data
    if sniff_content_type(data) == "application/pdf":
        # A page with a text layer has no pixels to judge; the child says which it is.
        try:
            pages = pdf_pages(data, indices=[0], dpi=PDF_PAGE.dpi,
                              text_min_chars=PDF_PAGE.text_min_chars)
        except (PdfLimitExceeded, ValueError) as exc:
            raise DocumentError(f"cannot open PDF: {exc}") from exc
        if not pages:
            raise DocumentError("PDF has no pages")
        return pages[0].image
    return load_image(data)


def sharpness_and_contrast(image: Image.Image) -> tuple[float, float]:
    """Return the sharpness of the inked regions and the ink-to-paper contrast (0-1)."""
    gray = image.convert("L")
    if gray.width != _WIDTH:
        height = max(1, round(gray.height * _WIDTH / gray.width))
        gray = gray.resize((_WIDTH, height), Image.Resampling.BILINEAR)
    # A light blur first, so that sensor noise and JPEG grain do not pass for sharp edges.
    arr = np.asarray(gray.filter(ImageFilter.GaussianBlur(1)), dtype=np.float32)
    lap = -4 * arr[1:-1, 1:-1] + arr[:-2, 1:-1] + arr[2:, 1:-1] + arr[1:-1, :-2] + arr[1:-1, 2:]
    h, w = lap.shape
    th, tw = h // _TILE, w // _TILE
    if th == 0 or tw == 0:
        return 0.0, 0.0
    tiles = lap[: th * _TILE, : tw * _TILE].reshape(th, _TILE, tw, _TILE).std(axis=(1, 3))
    # Judge sharpness where there is something to be sharp: the busiest tenth of the tiles.
    p_ink, p_paper = np.percentile(arr, [0.5, 99.5])
    contrast = float(p_paper - p_ink) / 255
    # Edges scale with the ink-to-paper difference; divide it out so that a faint but sharp
    # print is not called blurred.
    sharpness = float(np.percentile(tiles, 90)) / max(contrast, 0.1)
    return sharpness, contrast


def readability(data: bytes | Image.Image, *, pdf_page: PdfPage | None = None) -> Readability:
    """Score an upload's readability and say whether it is blurry or low in contrast.

    ``pdf_page`` is the PDF's first page as ``PDF_PAGE`` asks, when vetting already has it.
    """
    image = pdf_page.image if pdf_page is not None else _image_from(data)
    if image is None:
        return Readability(1.0, False, False, float("inf"), 1.0)
    sharpness, contrast = sharpness_and_contrast(image)
    blurry = sharpness < BLUR_THRESHOLD
    low_contrast = contrast < LOW_CONTRAST_THRESHOLD
    score = min(1.0, sharpness / (2 * BLUR_THRESHOLD)) * min(
        1.0, contrast / (2 * LOW_CONTRAST_THRESHOLD)
    )
    return Readability(score, blurry, low_contrast, sharpness, contrast,
                       readability_warnings(blurry=blurry, low_contrast=low_contrast))


def readability_warnings(*, blurry: bool, low_contrast: bool) -> tuple[Promise, ...]:
    """Return what to tell the consumer about a blurred or faint picture (translatable)."""
    warnings: list[Promise] = []
    if blurry:
        warnings.append(_("The picture looks blurred. Hold the camera still and take a new photo."))
    if low_contrast:
        warnings.append(_("The picture is too dark or faint. Take it in better light."))
    return tuple(warnings)
