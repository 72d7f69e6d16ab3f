"""Faults an operator meets, injected into the real product on a throw-away PostgreSQL:
the database goes away and comes back, a worker or the web server is killed with -9."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from rabatt.core.tests.stack import Stack

# Pages that read the database (the privacy page is static and keeps answering 200).
SITE_PAGES = ["/", "/c/sonos-summer-2019/", "/c/sonos-summer-2019/claim/"]
QUOTE = {"country": "NO", "channel": "retailer", "retailer": "elkjop-no",
         "purchased_at": "2019-07-25T14:03:00Z", "claimed_at": "2019-08-01T10:00:00Z",
         "currency": "NOK", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}]}
API_CALLS = [("GET", "/api/v1/campaigns/sonos-summer-2019", None),
             ("POST", "/api/v1/campaigns/sonos-summer-2019/quote", QUOTE),
             ("POST", "/api/v1/privacy/requests", {"email": "a@example.no", "kind": "access"})]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    running = Stack(web_workers=1, receipt_workers=1)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _wait(predicate, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_database_outage_answers_503_everywhere_then_service_resumes(stack):
    worker = stack.wait_for_pid("worker-email", 1)
    stack.pg.stop(mode="immediate")
    try:
        for path in SITE_PAGES:
            answer = stack.get(path)
            assert (path, answer.status) == (path, 503)
            assert answer.headers["retry-after"] == "5"
            assert "<h1>Back in a moment</h1>" in answer.text
        for method, path, body in API_CALLS:
            answer = (stack.post_json(path, body) if method == "POST" else stack.get(path))
            assert (path, answer.status) == (path, 503)
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["code"] == "unavailable"
        time.sleep(2)  # the workers meet the outage too
    finally:
        stack.pg.start()
    stack.wait_until_up(timeout=30)
    assert stack.get("/api/v1/campaigns/sonos-summer-2019").status == 200
    # The worker rode out the outage: same process, and it still sends e-mail.
    assert stack.pids("worker-email") == [worker]
    assert _alive(worker)
    before = len(stack.mails())
    answer = stack.post_json("/api/v1/privacy/requests",
                             {"email": "after.outage@example.no", "kind": "access"})
    assert answer.status == 202
    _wait(lambda: len(stack.mails()) == before + 1, "the e-mail after the outage")
    assert "exited" not in stack.log()


def test_a_killed_worker_is_restarted_and_the_site_stays_up(stack):
    first = stack.wait_for_pid("worker-email", 1)
    runs = len(stack.pids("worker-email"))
    stack.kill("worker-email")
    assert stack.get("/").status == 200
    newest = stack.wait_for_pid("worker-email", runs + 1)
    assert newest != first
    assert f"worker-email pid={first} exited with signal SIGKILL" in stack.log()
    before = len(stack.mails())
    answer = stack.post_json("/api/v1/privacy/requests",
                             {"email": "after.kill@example.no", "kind": "access"})
    assert answer.status == 202
    _wait(lambda: len(stack.mails()) == before + 1, "the e-mail after the restart")


def test_a_killed_web_server_is_restarted(stack):
    first = stack.wait_for_pid("web-1", 1)
    runs = len(stack.pids("web-1"))
    os.kill(first, signal.SIGKILL)
    # The other server shares the port and answers meanwhile.
    assert stack.get("/").status == 200
    stack.wait_for_pid("web-1", runs + 1)
    stack.wait_until_up(timeout=30)
    assert f"web-1 pid={first} exited with signal SIGKILL" in stack.log()
    assert stack.get("/api/v1/campaigns/sonos-summer-2019").status == 200


def test_a_task_of_a_killed_worker_is_run_again_after_the_lease(stack):
    # A task that a worker had claimed when it died: RUNNING, owned by a worker long silent.
    stack.rabatt("shell", "-c", (
        "from datetime import timedelta\n"
        "from django_tasks_db.models import DBTaskResult, get_date_max\n"
        "from rabatt.core.timeutil import utcnow\n"
        "DBTaskResult.objects.create(id='00000000-0000-4000-8000-000000000001',\n"
        "    status='RUNNING', started_at=utcnow() - timedelta(minutes=5),\n"
        "    args_kwargs={'args': [], 'kwargs': {}}, backend_name='default',\n"
        "    task_path='rabatt.claims.tasks.lapse_overdue_claims', queue_name='default',\n"
        "    worker_ids=['killed-worker'], run_after=get_date_max())\n"))
    _wait(lambda: stack.psql(
        "SELECT status FROM django_tasks_database_dbtaskresult "
        "WHERE id = '00000000-0000-4000-8000-000000000001'") == "SUCCESSFUL",
        "the re-run of the dead worker's task", timeout=120)
    assert "put back in the queue" in stack.log()
