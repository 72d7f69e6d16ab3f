"""The ``rabatt receipts`` command: JSON out, clear errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from rabatt.receipts.tests.receiptgen import ReceiptSpec, make_spec, render_pdf


@pytest.fixture(scope="module")
def receipt() -> tuple[ReceiptSpec, Path]:
    spec = make_spec(42, "sv", shop=0)
    return spec, render_pdf(spec, Path(tempfile.mkdtemp(prefix="rabatt-receipts-")) / "kvitto.pdf")


def test_verify_prints_the_three_fields(receipt: tuple[ReceiptSpec, Path]) -> None:
    spec, path = receipt
    out = StringIO()
    call_command(
        "receipts",
        "verify",
        str(path),
        "--retailer",
        spec.retailer,
        "--date",
        spec.purchase_date.isoformat(),
        "--total",
        str(spec.total),
        "--currency",
        "SEK",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert set(result) == {"retailer", "date", "total", "currency"}
    assert {k: v["status"] for k, v in result.items()} == dict.fromkeys(result, "verified")
    assert {"status", "found", "confidence"} <= set(result["total"])


def test_verify_a_blank_page_confirms_nothing(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGB", (600, 900), "white").save(path)
    out = StringIO()
    call_command("receipts", "verify", str(path), "--retailer", "Elkjøp", "--date", "2026-12-01",
                 "--total", "499.00", "--currency", "NOK", stdout=out)
    result = json.loads(out.getvalue())
    assert {k: v["status"] for k, v in result.items()} == dict.fromkeys(result, "unreadable")
    assert set(result) == {"retailer", "date", "total", "currency"}


def test_verify_wrong_total_is_a_mismatch(receipt: tuple[ReceiptSpec, Path]) -> None:
    spec, path = receipt
    out = StringIO()
    call_command(
        "receipts",
        "verify",
        str(path),
        "--retailer",
        "Power",
        "--date",
        spec.purchase_date.isoformat(),
        "--total",
        "1.00",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["total"]["status"] == "mismatch"
    assert result["retailer"]["status"] == "mismatch"


def test_read_prints_fields_and_fingerprint(receipt: tuple[ReceiptSpec, Path]) -> None:
    spec, path = receipt
    out = StringIO()
    call_command("receipts", "read", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert result["total"]["value"] == str(spec.total)
    assert result["receipt_number"]["value"] == spec.receipt_number
    assert len(result["fingerprint"]["sha256"]) == 64


def test_non_numeric_total_is_refused(receipt: tuple[ReceiptSpec, Path]) -> None:
    _, path = receipt
    with pytest.raises(CommandError, match="not an amount"):
        call_command(
            "receipts",
            "verify",
            str(path),
            "--retailer",
            "X",
            "--date",
            "2025-03-15",
            "--total",
            "abc",
        )


def test_missing_file_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("receipts", "read", "/nonexistent/receipt.jpg")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["verify", "{file}", "--retailer", "X", "--date", "15.03.2025", "--total", "1"],
            "YYYY-MM-DD",
        ),
        (["read", "{text}"], "unsupported file type"),
    ],
)
def test_bad_input_exits_non_zero_without_traceback(
    receipt: tuple[ReceiptSpec, Path], args: list[str], message: str
) -> None:
    _, path = receipt
    text = path.with_name("notes.txt")
    text.write_text("not a receipt")
    argv = [a.format(file=path, text=text) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "rabatt", "receipts", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
