"""Scheduled jobs: each slot is claimed by exactly one of many concurrent runners."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection

from rabatt.core.models import ScheduledRun
from rabatt.core.schedule import JOBS, Job, jobs, schedule_claim_due

NOW = datetime(2026, 12, 5, 10, 2, 30, tzinfo=UTC)


def test_slots_start_on_the_interval():
    hourly = Job("x", timedelta(hours=1), command=("x",))
    assert hourly.slot(NOW) == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert Job("y", timedelta(minutes=5), command=("y",)).slot(NOW) == datetime(
        2026, 12, 5, 10, 0, tzinfo=UTC)
    assert Job("z", timedelta(days=1), command=("z",)).slot(NOW) == datetime(
        2026, 12, 5, tzinfo=UTC)


def test_concurrent_runners_claim_each_slot_once(transactional_db):
    runners = 8
    barrier = threading.Barrier(runners)
    won: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def runner(node: str) -> None:
        try:
            barrier.wait()
            won[node] = [job.name for job, _ in schedule_claim_due(node=node, now=NOW)]
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(f"node-{i}",)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    claimed = sorted(name for names in won.values() for name in names)
    assert claimed == sorted(job.name for job in jobs())
    rows = ScheduledRun.objects.order_by("job")
    assert [(r.job, r.slot) for r in rows] == sorted((j.name, j.slot(NOW)) for j in jobs())
    # Each row names the runner that won it.
    assert all(r.job in won[r.node] for r in rows)


def test_a_new_slot_is_claimed_again_and_an_old_one_never(db):
    assert len(schedule_claim_due(node="a", now=NOW)) == len(JOBS)
    assert schedule_claim_due(node="b", now=NOW + timedelta(minutes=2)) == []
    # Five minutes on, only the five-minute job has a new slot.
    later = schedule_claim_due(node="b", now=NOW + timedelta(minutes=5))
    assert [(job.name, run.node) for job, run in later] == [("outbox-sweep", "b")]


def test_the_scheduler_command_runs_every_due_job_once(db):
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    rows = {r.job: r for r in ScheduledRun.objects.all()}
    assert set(rows) == {job.name for job in jobs()}
    assert {name: (r.outcome, r.finished_at is not None) for name, r in rows.items()} == {
        job.name: ("enqueued" if job.task else "ok", True) for job in jobs()}
    again = StringIO()
    call_command("scheduler", "--once", stdout=again)
    assert again.getvalue() == ""
    assert ScheduledRun.objects.count() == len(jobs())
