"""Run one function in many threads released at once by a barrier (PostgreSQL tests)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

# PostgreSQL's max_connections (default 100) is shared with other test runs, so at most this
# many threads hold a connection at the same time; the rest wait at the semaphore and then
# race exactly like the first ones (the row they fight over is already taken by then).
MAX_CONNECTIONS = int(os.environ.get("CONCURRENCY_MAX_CONNECTIONS", "40"))

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrency guarantees are checked on PostgreSQL (DATABASE_URL=postgres://...); "
           "SQLite serialises every writer, so the race cannot happen there",
)


def run_together(fn: Callable[[int], Any], n: int) -> list[Any]:
    barrier = threading.Barrier(n)
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            with slots:
                try:
                    results[i] = fn(i)
                finally:
                    connections.close_all()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results
