"""Test the PostgreSQL backend's health check: no round trip when idle, a goodbye noticed."""

from __future__ import annotations

import select
import time
from typing import Any

import pytest
from django.db import connection

from rabatt.core.db.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the backend is PostgreSQL's")


@pytest.fixture
def probe() -> Any:
    """Open a second connection through the backend, closed after the test."""
    wrapper = DatabaseWrapper({**connection.settings_dict}, alias="probe")
    wrapper.connect()
    yield wrapper
    wrapper.close()


def test_settings_use_the_backend() -> None:
    assert connection.settings_dict["ENGINE"] == "rabatt.core.db.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_an_idle_connection_is_usable_without_a_query(probe: Any) -> None:
    def no_query(*args: object, **kwargs: object) -> None:
        raise AssertionError("the health check sent a query")

    probe.connection.cursor = no_query
    assert probe.is_usable() is True


@pytest.mark.django_db
def test_a_terminated_session_is_noticed_and_replaced(probe: Any) -> None:
    pid = probe.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    # The server's goodbye reaches the socket a moment later.
    deadline = time.monotonic() + 10
    while not select.select([probe.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server never closed the session"
    assert probe.is_usable() is False
    # As at the start of a request: the next query checks first, and reconnects.
    probe.health_check_done = False
    with probe.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert probe.connection.info.backend_pid != pid


@pytest.mark.django_db
def test_a_closed_connection_is_not_usable(probe: Any) -> None:
    probe.connection.close()
    assert probe.is_usable() is False
