"""Distribution: read recipient lists and bounce reports (the e-mail is in ``emails.py``)."""

from __future__ import annotations

import csv
import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage as ParsedMessage
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from rabatt.core.i18n import language_codes


@dataclass(frozen=True)
class RecipientRow:
    line: int
    email: str
    name: str
    locale: str


def read_recipients(path: Path, default_locale: str = "en") -> tuple[list[RecipientRow],
                                                                      list[str]]:
    """Read a CSV with ``email``, ``name`` and ``locale`` columns; return rows and problems."""
    rows: list[RecipientRow] = []
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in (reader.fieldnames or [])}
        if "email" not in columns:
            return [], [f"{path}: the header must name an 'email' column"]
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            address = row.get("email", "")
            try:
                validate_email(address)
            except ValidationError:
                problems.append(f"line {number}: not an e-mail address: {address!r}")
                continue
            locale = (row.get("locale") or default_locale).split("-")[0].lower()
            rows.append(RecipientRow(number, address, row.get("name", "")[:200],
                                     locale if locale in language_codes() else default_locale))
    return rows, problems


_ADDRESS = re.compile(r"[^\s<>;]+@[^\s<>;]+")


def read_bounces(path: Path) -> Iterator[tuple[str, str]]:
    """Yield (address, detail) of hard bounces from a list or a DSN (RFC 3464) message.

    A list has one address per line (``#`` starts a comment). A DSN is a ``.eml`` file whose
    ``message/delivery-status`` part names each ``Final-Recipient`` with ``Action: failed``.
    """
    data = path.read_bytes()
    if b"delivery-status" not in data.lower():
        for line in data.decode("utf-8", "replace").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and _ADDRESS.fullmatch(line):
                yield line, f"bounce list {path.name}"
        return
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, ParsedMessage)
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks[1:]:  # the first block describes the reporting MTA
            if isinstance(block, str):
                continue
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            recipient = str(block.get("Final-Recipient", "") or
                            block.get("Original-Recipient", ""))
            address = recipient.split(";", 1)[-1].strip()
            if action == "failed" and status.startswith("5") and _ADDRESS.fullmatch(address):
                yield address, f"DSN {status} {path.name}"
