"""The shared cache for hot reads, tolerant of a cache that is down: the database answers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def cache_get_many(keys: Iterable[str]) -> dict[str, Any]:
    """Return the cached values of ``keys``; nothing if the cache cannot be reached."""
    try:
        return cache.get_many(list(keys))
    except Exception as exc:  # every backend raises its own errors
        # A cache outage makes requests slower, never failed: callers read the database.
        log.warning("cache unavailable, reading the database: %s", type(exc).__name__)
        return {}


def cache_set(key: str, value: Any, timeout: float | None) -> None:
    """Store ``value``; an unreachable cache only means the next read goes to the database."""
    try:
        cache.set(key, value, timeout)
    except Exception as exc:  # every backend raises its own errors
        log.warning("cache unavailable, not stored: %s", type(exc).__name__)


def cache_generation_start(key: str, token: str) -> str:
    """Return the generation stored under ``key``, storing ``token`` if there is none."""
    try:
        cache.add(key, token, None)
        return str(cache.get(key) or "")
    except Exception as exc:  # every backend raises its own errors
        log.warning("cache unavailable: %s", type(exc).__name__)
        return ""


# The process's own copy of the hottest entries, each kept for HOT_CACHE_LOCAL_SECONDS: it
# spares the shared cache's network round trip on nearly every shop request. A change is seen
# at once by the process that made it and within those seconds by every other process.
_local: dict[str, tuple[float, Any]] = {}
_local_lock = threading.Lock()
_LOCAL_MAX = 10_000


def local_get(key: str) -> Any | None:
    """Return this process's copy of ``key`` if it is recent enough, else None."""
    entry = _local.get(key)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def local_set(key: str, value: Any) -> None:
    """Keep ``value`` in this process for HOT_CACHE_LOCAL_SECONDS (0 switches it off)."""
    seconds = float(getattr(settings, "HOT_CACHE_LOCAL_SECONDS", 0))
    if seconds <= 0:
        return
    with _local_lock:
        if len(_local) >= _LOCAL_MAX:
            _local.clear()  # a flood of distinct keys must not grow the process
        _local[key] = (time.monotonic() + seconds, value)


def local_clear() -> None:
    """Forget this process's copies (after a change made here)."""
    with _local_lock:
        _local.clear()
