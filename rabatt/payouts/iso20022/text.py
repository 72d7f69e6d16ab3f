"""Make free text and identifiers safe for bank files."""

from __future__ import annotations

import re
import unicodedata

from text_unidecode import unidecode

from .errors import Iso20022Error

# The EPC's basic Latin character set for SEPA (EPC217-08); SWIFT's x-charset is the same.
SEPA_CHARS = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")
# Letters whose usual transliteration differs from text-unidecode's one-letter fallback.
_SPECIAL = str.maketrans({"ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe"})


def transliterate(text: str) -> str:
    """Return ``text`` in the SEPA Latin set (Ødegård & Sønn → Odegard + Sonn)."""
    if not text.isascii():
        text = unidecode(unicodedata.normalize("NFC", text).translate(_SPECIAL))
    return SEPA_CHARS.sub(" ", text.replace("&", "+"))


def clean_text(text: str, *, max_length: int, strict: bool) -> str:
    """Return ``text`` trimmed to ``max_length`` and, if ``strict``, transliterated for SEPA."""
    text = _XML_ILLEGAL.sub(" ", text or "")
    if strict:
        text = transliterate(text)
    elif not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()[:max_length].rstrip()


def check_id(value: str, what: str) -> str:
    """Return ``value`` if it is a valid SEPA identifier (1-35 chars, no spaces, no ``//``)."""
    if (
        not isinstance(value, str)
        or not _ID.fullmatch(value)
        or value.startswith("/")
        or value.endswith("/")
        or "//" in value
    ):
        raise Iso20022Error("payment_invalid", f"{what} {value!r} is not a valid identifier")
    return value


def escape(text: str) -> str:
    """Escape ``text`` for XML element content and double-quoted attributes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
