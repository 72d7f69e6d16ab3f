"""Secret tokens for links: only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def token_new() -> tuple[str, str]:
    """Return a URL-safe token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
