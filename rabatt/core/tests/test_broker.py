"""Tasks enqueued with a broker configured run on a real worker over real Redis / RabbitMQ."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test import override_settings

from rabatt.core.config import TASK_QUEUES
from rabatt.core.tests.test_health import needs_rabbitmq, needs_redis
from rabatt.notifications.models import EmailStatus, OutboundEmail
from rabatt.notifications.services import email_queue
from rabatt.notifications.tests.smtp import smtp_server


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}")


# The Celery app this process enqueues with; a fresh one per test, so its connection pool
# belongs to the test's broker (the worker uses rabatt.core.broker.app, configured by env).
test_app: Celery | None = None


@pytest.fixture
def broker(request: Any) -> Iterator[dict[str, str]]:
    """Enqueue to the broker on a queue no one else uses; yield the worker's environment."""
    global test_app
    url, queue = request.param, f"rabatt-test-{uuid.uuid4().hex[:12]}"
    test_app = Celery("rabatt-test", set_as_current=False)
    test_app.conf.update(broker_url=url, task_default_queue=queue, task_ignore_result=True)
    # The named queues are shared by name on the broker; a stale message on one only names an
    # outbox row this database does not have, which the task re-checks and leaves alone.
    tasks = {"default": {"BACKEND": "django_tasks_celery.CeleryBackend",
                         "QUEUES": list(TASK_QUEUES),
                         "OPTIONS": {"CELERY_APP": f"{__name__}.test_app"}}}
    try:
        with override_settings(TASKS=tasks, CELERY_BROKER_URL=url,
                               CELERY_TASK_DEFAULT_QUEUE=queue):
            yield {"RABATT_BROKER_URL": url, "RABATT_BROKER_QUEUE": queue}
    finally:
        test_app.close()
        test_app = None


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rabatt", "broker_worker", "--pool", "solo"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rabatt.settings", "TASKS_BACKEND": "",
             "RABATT_HOME": str(settings.RABATT_HOME), "DATABASE_URL": _database_url(), **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for(predicate: Any, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("broker", [
    pytest.param("redis://127.0.0.1:6379/15", marks=needs_redis, id="redis"),
    pytest.param("amqp://guest:guest@127.0.0.1:5672//", marks=needs_rabbitmq, id="rabbitmq"),
], indirect=True)
def test_an_email_queued_with_a_broker_is_sent_by_a_broker_worker(transactional_db, broker):
    with smtp_server() as (inbox, mailers):
        port = mailers["default"]["OPTIONS"]["port"]
        # Queued (and enqueued on commit) by this process; nothing runs it here.
        row = email_queue(kind="test.hello", dedup_key=f"broker:{uuid.uuid4()}",
                          to="ingrid@example.no", template="claims/email/claim_event",
                          context={"kind": "submitted", "reference": "RB-AAAA-BBBB",
                                   "first_name": "Ingrid", "reasons": [], "message": "",
                                   "answer_token": ""})
        assert row is not None
        row.refresh_from_db()
        assert row.status == EmailStatus.PENDING
        worker = _worker({**broker, "EMAIL_URL": f"smtp://127.0.0.1:{port}"})
        try:
            sent = _wait_for(lambda: OutboundEmail.objects.get(pk=row.pk).status
                             == EmailStatus.SENT)
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0].decode(errors="replace")
        assert sent, output[-3000:]
        assert len(inbox.messages) == 1
        assert inbox.messages[0]["To"] == "ingrid@example.no"
        assert "RB-AAAA-BBBB" in inbox.text()
