"""Fixed-window rate limits in the shared cache (Redis or the database cache)."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import DomainError

log = logging.getLogger(__name__)


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _bucket_name(scope: str, key: str, window: int) -> str:
    bucket = int(time.time() // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket}"


def rate_count(*, scope: str, key: str, window: int) -> int:
    """Return how often ``rate_hit`` counted ``key`` in ``scope`` in the current window."""
    if not settings.RATE_LIMITS_ENABLED:
        return 0
    try:
        return int(cache.get(_bucket_name(scope, key, window)) or 0)
    except Exception:
        log.warning("rate limit %s not read: the cache is unavailable", scope, exc_info=True)
        return 0


def rate_hit(*, scope: str, key: str, window: int) -> int:
    """Count one event for ``key`` in ``scope`` and return the window's count."""
    if not settings.RATE_LIMITS_ENABLED:
        return 0
    name = _bucket_name(scope, key, window)
    try:
        cache.add(name, 0, timeout=window + 1)
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=window + 1)
            return 1
    except Exception:
        # The shared cache (Redis) is away: let the request through rather than answer every
        # visitor with an error; the limits come back with the cache.
        log.warning("rate limit %s not counted: the cache is unavailable", scope, exc_info=True)
        return 0


def rate_limit(*, scope: str, key: str, limit: int, window: int) -> None:
    """Allow ``limit`` calls per ``window`` seconds for ``key`` in ``scope``, else raise."""
    if rate_hit(scope=scope, key=key, window=window) > limit:
        raise RateLimited(_("Too many attempts. Please wait a moment and try again."))
