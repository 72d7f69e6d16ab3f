"""Django's PostgreSQL backend with a health check that needs no round trip.

Django's ``CONN_HEALTH_CHECKS`` runs ``SELECT 1`` before the first query of every request.
On the shop API that round trip was a third of a validate's time. A server that restarts or
ends a session (``pg_terminate_backend``, a failover, an idle timeout) says so on the socket:
it sends an error and closes it. So an idle connection whose socket has nothing to read is
taken as usable, with a ``poll`` instead of a query; one with something to read gets
Django's full check, and is replaced if that fails. A connection lost silently (a cable
pulled) fails its next query instead: the outage middleware answers 503 and Django drops
the connection at the end of that request.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    """Check an idle connection's socket before paying for ``SELECT 1``."""

    def is_usable(self) -> bool:
        """Return whether the connection can be used, without a round trip when it is idle."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        # poll, not select: select refuses descriptors above 1023, which a busy worker can hold.
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            ready = poller.poll(0)
        except (OSError, ValueError):
            return False
        if not ready:
            return True
        # The server sent something on an idle connection: a goodbye, most likely.
        return bool(super().is_usable())
