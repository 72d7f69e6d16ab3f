"""CSV and XLSX of a list of rows, written as they are read so that memory stays flat."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

# Cells a spreadsheet would run as a formula (CSV injection) get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    return str(_cell(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield a CSV file line by line (UTF-8 with a byte-order mark, for spreadsheets)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_text(v) for v in row])


# A worksheet holds 1,048,576 rows (Excel's limit); the header takes one.
XLSX_ROWS_PER_SHEET = 1_048_575
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
              rows_per_sheet: int = XLSX_ROWS_PER_SHEET) -> IO[bytes]:
    """Write an XLSX workbook row by row (openpyxl's write-only mode) into a temporary file.

    Rows beyond a sheet's limit go on to further sheets (title 2, title 3...), each with the
    header, so that no row is lost where a spreadsheet would stop reading.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(header))
    count, number = 0, 1
    for row in rows:
        if count == rows_per_sheet:
            number += 1
            suffix = f" {number}"
            sheet = book.create_sheet(title=title[:31 - len(suffix)] + suffix)
            sheet.append(list(header))
            count = 0
        sheet.append([_xlsx_value(v) for v in row])
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return out


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # UTC, as the header says; Excel has no zones
    if isinstance(value, str):
        return _cell(value)
    return value
