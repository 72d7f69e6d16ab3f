"""The shared cache for hot reads, tolerant of a cache that is down: the database answers."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

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
