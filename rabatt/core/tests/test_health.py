import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

CELERY = {"default": {"BACKEND": "django_tasks_celery.CeleryBackend",
                      "OPTIONS": {"CELERY_APP": "rabatt.core.broker.app"}}}


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


needs_redis = pytest.mark.skipif(not _listening(6379), reason="no Redis on 127.0.0.1:6379")
needs_rabbitmq = pytest.mark.skipif(not _listening(5672), reason="no RabbitMQ on :5672")


@pytest.fixture
def database_down(transactional_db: Any) -> Iterator[None]:
    """Point the connection at a database that cannot be reached, then restore it."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/rabatt.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_healthz_answers_without_touching_the_database(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_ok_when_everything_works(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "broker": "ok", "storage": "ok", "cache": "ok"}}


def test_readyz_503_when_the_database_is_down(client, database_down):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "down"
    # The default task queue lives in the database, so it is down with it.
    assert body["checks"]["broker"] == "down"
    assert body["checks"]["storage"] == "ok"


def test_readyz_503_when_the_storage_cannot_be_written(client, db, tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the upload directory should be")
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": str(blocker / "files")}},
                "staticfiles": {"BACKEND":
                                "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok", "broker": "ok", "storage": "down", "cache": "ok"}


@pytest.mark.parametrize("url", [
    pytest.param("redis://127.0.0.1:6379/15", marks=needs_redis),
    pytest.param("amqp://guest:guest@127.0.0.1:5672//", marks=needs_rabbitmq),
])
def test_readyz_checks_a_real_broker(client, db, url):
    with override_settings(TASKS=CELERY, CELERY_BROKER_URL=url):
        assert client.get("/readyz").json()["checks"]["broker"] == "ok"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1//"])
def test_readyz_503_when_the_broker_is_down(client, db, url):
    with override_settings(TASKS=CELERY, CELERY_BROKER_URL=url):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok", "broker": "down", "storage": "ok", "cache": "ok"}


@needs_redis
def test_readyz_checks_a_shared_redis_cache(client, db):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": "redis://127.0.0.1:6379/15",
                               "KEY_PREFIX": "rabatt-scale-test"}}
    with override_settings(CACHES=redis_cache):
        assert client.get("/readyz").json()["checks"]["cache"] == "ok"
    down = {"default": {**redis_cache["default"], "LOCATION": "redis://127.0.0.1:1/0",
                        "OPTIONS": {"socket_connect_timeout": 1}}}
    with override_settings(CACHES=down):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "down"
