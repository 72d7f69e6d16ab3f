"""The task worker: queues, the lease of a dead worker's task, and tasks an outage broke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from rabatt.core.models import WorkerHeartbeat
from rabatt.core.timeutil import utcnow
from rabatt.core.worker import (
    Heartbeat,
    ResilientWorker,
    task_requeue_after_outage,
    tasks_reclaim,
)

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=60)
SWEEP = "rabatt.notifications.tasks.sweep_outbox"  # queue "email"
LAPSE = "rabatt.claims.tasks.lapse_overdue_claims"  # queue "default"


def _task(path: str, queue: str, *, status: str = TaskResultStatus.READY,
          worker_ids: list[str] | None = None, started_ago: float | None = None,
          priority: int = 0) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path=path, queue_name=queue,
        backend_name="default", run_after=get_date_max(), status=status, priority=priority,
        worker_ids=worker_ids or [],
        started_at=None if started_ago is None else utcnow() - timedelta(seconds=started_ago))


def _beat(worker_id: str, ago: float) -> None:
    now = utcnow()
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="h", pid=1, queues="*",
                                   started_at=now - timedelta(hours=1),
                                   beat_at=now - timedelta(seconds=ago))


def _worker(queues: list[str]) -> ResilientWorker:
    return ResilientWorker(queue_names=queues, interval=0, batch=True, backend_name="default",
                           startup_delay=False, max_tasks=None, worker_id="w-test",
                           excluded_queue_names=[], lease=LEASE, beat_every=3600)


def test_a_running_task_of_a_silent_worker_is_put_back_in_the_queue():
    _beat("alive", ago=5)
    _beat("dead", ago=90)
    of_dead = _task(SWEEP, "email", status=TaskResultStatus.RUNNING, worker_ids=["dead"],
                    started_ago=120)
    of_unknown = _task(SWEEP, "email", status=TaskResultStatus.RUNNING,
                       worker_ids=["never-beat"], started_ago=300)
    of_alive = _task(SWEEP, "email", status=TaskResultStatus.RUNNING,
                     worker_ids=["dead", "alive"], started_ago=600)
    young = _task(SWEEP, "email", status=TaskResultStatus.RUNNING, worker_ids=["dead"],
                  started_ago=10)
    assert tasks_reclaim(lease=LEASE) == 2
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[of_dead.pk] == TaskResultStatus.READY
    assert status[of_unknown.pk] == TaskResultStatus.READY
    assert status[of_alive.pk] == TaskResultStatus.RUNNING
    assert status[young.pk] == TaskResultStatus.RUNNING
    assert tasks_reclaim(lease=LEASE) == 0


def test_heartbeats_of_long_gone_workers_are_removed():
    _beat("gone", ago=11 * 60)
    _beat("alive", ago=1)
    tasks_reclaim(lease=LEASE)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_the_heartbeat_records_the_worker():
    heart = Heartbeat(worker_id="w-1", queues="email,default", every=10, lease=LEASE)
    heart.beat()
    heart.beat()
    row = WorkerHeartbeat.objects.get()
    assert (row.worker_id, row.queues) == ("w-1", "email,default")
    assert utcnow() - row.beat_at < timedelta(seconds=30)


# The worker closes and reopens connections as it goes: no test-wide transaction around it.
@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_only_its_queues():
    email = _task(SWEEP, "email")
    default = _task(LAPSE, "default")
    _worker(["email"]).run()
    email.refresh_from_db()
    default.refresh_from_db()
    assert email.status == TaskResultStatus.SUCCESSFUL
    assert email.worker_ids == ["w-test"]
    assert default.status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_email_runs_before_an_earlier_default_task_on_a_shared_worker():
    first = _task(LAPSE, "default")
    mail = _task(SWEEP, "email", priority=10)
    worker = _worker(["email", "default"])
    assert worker.step() is True
    mail.refresh_from_db()
    first.refresh_from_db()
    assert mail.status == TaskResultStatus.SUCCESSFUL
    assert first.status == TaskResultStatus.READY


def test_the_task_decorators_put_email_and_receipts_on_their_own_queues():
    from rabatt.notifications.tasks import send_email, sweep_outbox
    from rabatt.receipts.tasks import read_receipt_file

    assert (send_email.queue_name, send_email.priority) == ("email", 10)
    assert (sweep_outbox.queue_name, sweep_outbox.priority) == ("email", 10)
    assert read_receipt_file.queue_name == "receipts"


def test_a_task_an_outage_broke_runs_again_but_a_real_failure_stays_failed():
    broken = _task(SWEEP, "email", status=TaskResultStatus.FAILED, worker_ids=["w"])
    DBTaskResult.objects.filter(pk=broken.pk).update(
        exception_class_path="django.db.utils.OperationalError", traceback="...")
    failed = _task(SWEEP, "email", status=TaskResultStatus.FAILED, worker_ids=["w"])
    DBTaskResult.objects.filter(pk=failed.pk).update(exception_class_path="builtins.ValueError")
    interrupted = _task(SWEEP, "email", status=TaskResultStatus.RUNNING, worker_ids=["w"],
                        started_ago=1)
    assert task_requeue_after_outage(task_id=str(broken.pk)) is True
    assert task_requeue_after_outage(task_id=str(failed.pk)) is False
    assert task_requeue_after_outage(task_id=str(interrupted.pk)) is True
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status == {broken.pk: TaskResultStatus.READY, failed.pk: TaskResultStatus.FAILED,
                      interrupted.pk: TaskResultStatus.READY}
    broken.refresh_from_db()
    assert (broken.exception_class_path, broken.traceback) == ("", "")


def test_a_task_broken_by_outages_too_often_is_left_failed():
    looping = _task(SWEEP, "email", status=TaskResultStatus.RUNNING,
                    worker_ids=[f"w{n}" for n in range(11)], started_ago=1)
    assert task_requeue_after_outage(task_id=str(looping.pk)) is False
