"""Unique codes people can type: Crockford base32, groups of four, one check character.

``ABCD-EFGH-JKMN-PQR7``: 15 random symbols (75 bits) and a Luhn mod 32 check symbol that
catches every single mistyped symbol and most swapped neighbours before any database lookup.
Input is accepted in any case, with or without spaces and dashes, and the letters people
confuse with digits (O, I, L) are read as the digits they look like.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
N = len(ALPHABET)
RANDOM_SYMBOLS = 15
LENGTH = RANDOM_SYMBOLS + 1
GROUP = 4


def check_symbol(body: str) -> str:
    """Return the Luhn mod 32 check symbol for ``body``."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // N + addend % N
    return ALPHABET[(N - total % N) % N]


def generate() -> str:
    """Return a new random code in canonical form (no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return body + check_symbol(body)


def normalise(text: str) -> str | None:
    """Return the canonical form of a typed code, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_\t.").translate(_CONFUSABLE)
    if len(cleaned) != LENGTH or any(ch not in _INDEX for ch in cleaned):
        return None
    if check_symbol(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def display(code: str) -> str:
    """Format a canonical code in groups: ``ABCD-EFGH-JKMN-PQR7``."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
