"""`rabatt receipts ...`: read or verify a receipt file as JSON; sweep unread claim files."""

from __future__ import annotations

import argparse
import json
import mimetypes
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rabatt.receipts.reading import (
    DEFAULT_LANGUAGES,
    ENGINES,
    DocumentError,
    RetailerRef,
    fingerprint,
    readability,
    verify,
)
from rabatt.receipts.reading.pipeline import read_receipt
from rabatt.receipts.reading.text import normalise_name


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"not an amount: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha():
        raise argparse.ArgumentTypeError(f"not a three-letter currency code: {value!r}")
    return value.upper()


class Command(BaseCommand):
    help = "Read receipts (PDF, JPEG, PNG) and verify them against claimed values."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        read = sub.add_parser("read", help="print what was read from a receipt as JSON")
        read.add_argument("file")
        read.add_argument(
            "--retailer", action="append", default=[], help="a retailer to look for (repeatable)"
        )
        read.add_argument("--currency", type=_currency, help="currency hint, e.g. NOK")
        read.add_argument(
            "--languages",
            default=DEFAULT_LANGUAGES,
            help=f"Tesseract languages (default {DEFAULT_LANGUAGES})",
        )
        read.add_argument("--lines", action="store_true", help="include every line read")
        read.add_argument("--engine", choices=ENGINES,
                          help="OCR engine (default: RECEIPT_OCR_ENGINE, else ppocr)")
        check = sub.add_parser("verify", help="check a receipt against claimed values, as JSON")
        check.add_argument("file")
        check.add_argument("--retailer", required=True)
        check.add_argument("--date", required=True, type=_iso_date, help="YYYY-MM-DD")
        check.add_argument("--total", required=True, type=_amount, help="e.g. 499.00")
        check.add_argument("--currency", type=_currency)
        check.add_argument("--languages", default=DEFAULT_LANGUAGES)
        check.add_argument("--engine", choices=ENGINES,
                           help="OCR engine (default: RECEIPT_OCR_ENGINE, else ppocr)")
        sweep = sub.add_parser(
            "sweep", help="queue the reading of claim files still unread some minutes after upload"
        )
        sweep.add_argument("--minutes", type=int, default=15,
                           help="how long after upload a file counts as left unread (default 15)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            from rabatt.receipts.checking import receipts_read_overdue

            queued = receipts_read_overdue(older_than=timedelta(minutes=max(options["minutes"], 0)))
            self.stdout.write(f"{queued} files queued for reading")
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        data = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0]
        refs = (
            [RetailerRef(name, (normalise_name(name),)) for name in options["retailer"]]
            if options["action"] == "read"
            else [RetailerRef(options["retailer"], (normalise_name(options["retailer"]),))]
        )
        try:
            extraction = read_receipt(
                data,
                content_type=content_type,
                languages=options["languages"],
                retailers=refs,
                currency_hint=options["currency"],
                engine=options["engine"],
            )
            if options["action"] == "read":
                out = extraction.as_dict()
                out["readability"] = readability(data).as_dict()
                fp = fingerprint(data)
                out["fingerprint"] = {
                    "sha256": fp.sha256,
                    "phash": f"{fp.phash:016x}",
                    "bands": list(fp.bands),
                }
                if options["lines"]:
                    out["lines"] = [line.as_dict() for line in extraction.document.lines]
            else:
                out = verify(
                    extraction,
                    retailer=refs,
                    date=options["date"],
                    total=options["total"],
                    currency=options["currency"],
                ).as_dict()
        except DocumentError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
