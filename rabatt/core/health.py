"""Readiness of the parts a node needs: the database, the task broker, file storage, cache."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from kombu import Connection

log = logging.getLogger(__name__)



def database_check() -> None:
    """Raise unless the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker_check() -> None:
    """Raise unless the task queue can take work (the broker, or the database queue)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_celery.CeleryBackend":
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    elif backend == "django_tasks_db.DatabaseBackend":
        database_check()


def storage_check() -> None:
    """Raise unless a file can be written, read and deleted where uploads are kept."""
    # A write, not a look: a full or read-only disk, or a bucket without write rights, must
    # take the node out of service before a consumer's upload fails on it.
    # A name of its own: probes of several nodes (or load balancers) run at the same time.
    name = default_storage.save(f"health/readyz-{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as fh:
            if fh.read() != b"ok":
                raise OSError("storage returned other bytes than were written")
    finally:
        default_storage.delete(name)


def cache_check() -> None:
    """Raise unless the shared cache (Redis) keeps a value; the database cache is the database."""
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.set("health:readyz", "ok", timeout=10)
        if cache.get("health:readyz") != "ok":
            raise OSError("cache did not keep a value")


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "broker": broker_check,
    "storage": storage_check,
    "cache": cache_check,
}


def readiness() -> dict[str, bool]:
    """Run every check; return which parts are up (the failures are logged, not returned)."""
    found: dict[str, bool] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # Any failure means "not ready"; the reason goes to the log, never to the caller.
            log.warning("readiness check %s failed", name, exc_info=True)
            found[name] = False
        else:
            found[name] = True
    return found
