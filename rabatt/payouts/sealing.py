"""Encryption of a batch's creditor snapshots and bank file with the batch's own file key.

Each batch has a data key wrapped by a master key (``rabatt.core.crypto``, rotated with the
other data keys) that seals a random 256-bit AES-GCM file key. AES-GCM rather than Fernet per
payment because a batch holds up to hundreds of thousands of them: one unwrap per batch, then
a few microseconds per payment. The bank file is written as length-prefixed AES-GCM frames of
at most 1 MiB each, so it is encrypted and decrypted in constant memory.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from rabatt.core import crypto

FRAME = 1024 * 1024
_NONCE = 12
_HEADER = struct.Struct(">I")


class SealError(Exception):
    """A sealed payout file or snapshot cannot be read (wrong key, damaged, truncated)."""


def file_key_new() -> tuple[bytes, bytes]:
    """Return a new (wrapped data key, sealed file key) pair for a batch."""
    wrapped = crypto.data_key_new()
    return wrapped, crypto.seal(wrapped, AESGCM.generate_key(bit_length=256))


def file_aead(wrapped_key: bytes, sealed_file_key: bytes) -> AESGCM:
    return AESGCM(crypto.unseal(bytes(wrapped_key), bytes(sealed_file_key)))


def seal_small(aead: AESGCM, data: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + aead.encrypt(nonce, data, context.encode())


def unseal_small(aead: AESGCM, token: bytes, context: str) -> bytes:
    token = bytes(token)
    try:
        return aead.decrypt(token[:_NONCE], token[_NONCE:], context.encode())
    except InvalidTag as exc:
        raise SealError(f"cannot decrypt {context}") from exc


def file_path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "payouts" / f"batch-{batch_id}.pain001.sealed"


class SealedWriter:
    """A binary sink that encrypts what it is given in frames of at most 1 MiB."""

    def __init__(self, out: IO[bytes], aead: AESGCM, context: str) -> None:
        self._out = out
        self._aead = aead
        self._context = context
        self._buffer = bytearray()
        self._index = 0

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        while len(self._buffer) >= FRAME:
            self._frame(bytes(self._buffer[:FRAME]))
            del self._buffer[:FRAME]
        return len(data)

    def close(self) -> None:
        if self._buffer:
            self._frame(bytes(self._buffer))
            self._buffer.clear()

    def _frame(self, chunk: bytes) -> None:
        nonce = os.urandom(_NONCE)
        # The frame's number is authenticated, so frames cannot be reordered or swapped.
        sealed = self._aead.encrypt(nonce, chunk, f"{self._context}:{self._index}".encode())
        self._out.write(_HEADER.pack(len(sealed)) + nonce + sealed)
        self._index += 1


def read_sealed(path: Path, aead: AESGCM, context: str) -> Iterator[bytes]:
    """Yield the plaintext of a file written by :class:`SealedWriter`, frame by frame."""
    with open(path, "rb") as fh:
        index = 0
        while header := fh.read(_HEADER.size):
            if len(header) != _HEADER.size:
                raise SealError("truncated frame header")
            (length,) = _HEADER.unpack(header)
            nonce = fh.read(_NONCE)
            sealed = fh.read(length)
            if len(nonce) != _NONCE or len(sealed) != length:
                raise SealError("truncated frame")
            try:
                yield aead.decrypt(nonce, sealed, f"{context}:{index}".encode())
            except InvalidTag as exc:
                raise SealError(f"frame {index} cannot be decrypted") from exc
            index += 1
