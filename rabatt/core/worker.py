"""The task worker: django-tasks-db's loop, made to outlive database outages and dead peers.

* An outage (the database refuses, resets or restarts) never ends the worker: it closes its
  connections, waits with backoff (0.5 s doubling to 5 s) and goes on. A task interrupted by the
  outage is put back in the queue, not recorded as failed.
* Every worker beats (``WorkerHeartbeat``) from a thread of its own, also while a long task
  runs. A task still RUNNING whose worker has not beaten for ``lease`` seconds is put back in
  the queue by any live worker, so a ``kill -9`` costs a minute or two, not a cron run.
* Queues: each worker serves the queues it is given (``rabatt serve`` gives e-mail its own).
* ``housekeeping`` runs callables every so often (e.g. removing orphan upload files).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from django.db import close_old_connections, connections
from django.db.models import Q
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from rabatt.core.models import WorkerHeartbeat
from rabatt.core.outage import is_outage
from rabatt.core.timeutil import utcnow

log = logging.getLogger("rabatt.worker")

# A task that met an outage this many times is left as failed (a loop would hide a bug).
MAX_OUTAGE_REQUEUES = 10
OUTAGE_DELAY_MAX = 5.0


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a dead connection may fail to close; it is gone anyway
            log.debug("closing a broken connection failed", exc_info=True)


def tasks_reclaim(*, lease: timedelta) -> int:
    """Put back in the queue every running task whose worker stopped beating; return how many."""
    now = utcnow()
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=now - lease)
                .values_list("worker_id", flat=True))
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING,
                                        started_at__lt=now - lease)
    count = 0
    for pk, worker_ids, started_at in stale.values_list("pk", "worker_ids", "started_at"):
        owner = worker_ids[-1] if worker_ids else None
        if owner in alive:
            continue
        # Conditional: if the task finished or was taken again meanwhile, nothing changes.
        count += DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at,
        ).update(status=TaskResultStatus.READY)
        log.warning("task %s of silent worker %s put back in the queue", pk, owner)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - 10 * lease).delete()
    return count


def task_requeue_after_outage(*, task_id: str) -> bool:
    """Put a task that an outage interrupted back in the queue (unless it met too many)."""
    task = DBTaskResult.objects.filter(pk=task_id).first()
    if task is None or len(task.worker_ids) > MAX_OUTAGE_REQUEUES:
        return False
    interrupted = Q(status=TaskResultStatus.RUNNING) | (
        Q(status=TaskResultStatus.FAILED)
        & (Q(exception_class_path__endswith="OperationalError")
           | Q(exception_class_path__endswith="InterfaceError")))
    return bool(DBTaskResult.objects.filter(interrupted, pk=task_id).update(
        status=TaskResultStatus.READY, finished_at=None, exception_class_path="",
        traceback="", run_after=utcnow() + timedelta(seconds=1)))


class Heartbeat(threading.Thread):
    """Beat every ``every`` seconds and reclaim the tasks of silent workers; never raises."""

    def __init__(self, *, worker_id: str, queues: str, every: float, lease: timedelta) -> None:
        super().__init__(name="rabatt-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = queues[:200]
        self.every = every
        self.lease = lease
        self.started_at = utcnow()
        self.halt = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(worker_id=self.worker_id, defaults={
            "host": socket.gethostname()[:255], "pid": os.getpid(), "queues": self.queues,
            "started_at": self.started_at, "beat_at": utcnow()})

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.beat()
                tasks_reclaim(lease=self.lease)
            except Exception as exc:  # the thread must outlive any error
                log.warning("heartbeat failed: %s", type(exc).__name__)
                _close_connections()
            self.halt.wait(self.every)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # stopping while the database is away: the row expires anyway
            log.debug("heartbeat row not removed", exc_info=True)
        _close_connections()


class ResilientWorker(Worker):
    """django-tasks-db's worker with outage handling, a heartbeat and housekeeping."""

    def __init__(self, *, lease: timedelta, beat_every: float,
                 housekeeping: Sequence[tuple[float, Callable[[], object]]] = (),
                 **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.lease = lease
        self.beat_every = beat_every
        self.housekeeping = [(every, job, [0.0]) for every, job in housekeeping]
        self.current: str | None = None
        self.outages = 0

    def run(self) -> None:
        log.info("worker %s serving queues %s", self.worker_id, ",".join(self.queue_names))
        heart = Heartbeat(worker_id=self.worker_id, queues=",".join(self.queue_names),
                          every=self.beat_every, lease=self.lease)
        heart.start()
        try:
            while self.running:
                try:
                    if self.current is not None:
                        task_requeue_after_outage(task_id=self.current)
                        self.current = None
                    self._housekeep()
                    ran = self.step()
                    if self.outages:
                        log.warning("database reachable again; worker %s goes on",
                                    self.worker_id)
                    self.outages = 0
                except Exception as exc:
                    if not is_outage(exc):
                        raise
                    self.outages += 1
                    delay = min(OUTAGE_DELAY_MAX, 0.5 * 2 ** (self.outages - 1))
                    log.warning("database unavailable (%s); worker %s retries in %.1f s",
                                type(exc).__name__, self.worker_id, delay)
                    _close_connections()
                    time.sleep(delay)
                    continue
                if self.batch and not ran:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and not ran:
                    time.sleep(self.interval)
        finally:
            heart.halt.set()

    def step(self) -> bool:
        """Claim and run one ready task of our queues; return whether there was one."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.current = str(task_result.pk)
        self.run_task(task_result)
        if task_result.status == TaskResultStatus.FAILED and is_outage_path(
                task_result.exception_class_path):
            # The database went away under the task: it runs again, it did not fail.
            task_requeue_after_outage(task_id=self.current)
        self.current = None
        close_old_connections()
        return True

    def _housekeep(self) -> None:
        now = time.monotonic()
        for every, job, last in self.housekeeping:
            if now - last[0] >= every:
                last[0] = now
                try:
                    job()
                except Exception as exc:
                    if is_outage(exc):
                        raise
                    log.exception("housekeeping %s failed", getattr(job, "__name__", job))


def is_outage_path(exception_class_path: str) -> bool:
    """Whether a recorded exception class is a database outage."""
    return exception_class_path.endswith(("OperationalError", "InterfaceError"))
