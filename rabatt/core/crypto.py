"""Envelope encryption: per-person data keys wrapped by master keys kept outside the database.

Master keys are Fernet keys in ``RABATT_HOME/keys/master-NNNN.key`` (or another directory named
by ``RABATT_KEYS_DIR``, e.g. one mounted from a key-management service). The newest wraps new
data keys; all of them unwrap, so ``rabatt keys rotate`` can add a key and re-wrap every data
key without downtime. Destroying a person's wrapped data key makes every copy of their
encrypted data unreadable, backups included (crypto-shredding).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[str, ...], MultiFernet]] = {}


class KeyError_(Exception):
    """A key is missing or cannot decrypt."""


def keys_dir() -> Path:
    return Path(os.environ.get("RABATT_KEYS_DIR") or settings.KEYS_DIR)


_listing: dict[Path, tuple[int, list[Path]]] = {}


def _key_files() -> list[Path]:
    # Listing the directory on every seal costs more than the encryption; re-list only
    # when the directory changed (a key was added or removed).
    directory = keys_dir()
    try:
        stamp = directory.stat().st_mtime_ns
    except FileNotFoundError:
        return []
    cached = _listing.get(directory)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    files = sorted(directory.glob("master-*.key"))
    _listing[directory] = (stamp, files)
    return files


def master_key_create() -> Path:
    """Write a new master key that becomes the one used for wrapping."""
    directory = keys_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = _key_files()
    number = int(existing[-1].stem.split("-")[1]) + 1 if existing else 1
    path = directory / f"master-{number:04d}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key())
    _cache.clear()
    _listing.clear()
    return path


def _master() -> MultiFernet:
    files = _key_files()
    if not files:
        with _lock:
            if not _key_files():
                master_key_create()
        files = _key_files()
    names = tuple(f.name for f in files)
    cached = _cache.get("m")
    if cached and cached[0] == names:
        return cached[1]
    # Newest first: MultiFernet encrypts with the first and tries all to decrypt.
    fernet = MultiFernet([Fernet(f.read_bytes().strip()) for f in reversed(files)])
    _cache["m"] = (names, fernet)
    return fernet


def data_key_new() -> bytes:
    """Return a fresh data key, wrapped by the current master key."""
    return _master().encrypt(Fernet.generate_key())


def data_key_rewrap(wrapped: bytes) -> bytes:
    """Re-wrap a data key with the newest master key (key rotation)."""
    return _master().rotate(wrapped)


def _data_fernet(wrapped: bytes) -> Fernet:
    try:
        return Fernet(_master().decrypt(wrapped))
    except InvalidToken:
        # Another process may have added a master key within the same directory-mtime tick:
        # re-read the keys once before giving up.
        _listing.clear()
        _cache.clear()
    try:
        return Fernet(_master().decrypt(wrapped))
    except InvalidToken as exc:
        raise KeyError_("the data key cannot be unwrapped with any master key") from exc


def seal(wrapped_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` with the data key ``wrapped_key`` stands for."""
    return _data_fernet(wrapped_key).encrypt(plaintext)


def unseal(wrapped_key: bytes, token: bytes) -> bytes:
    """Decrypt what :func:`seal` produced with the same data key."""
    try:
        return _data_fernet(wrapped_key).decrypt(token)
    except InvalidToken as exc:
        raise KeyError_("the data cannot be decrypted with this data key") from exc
