"""Scheduled jobs, run once per slot across every node (a unique row per job and slot)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from rabatt.core.models import ScheduledRun
from rabatt.core.timeutil import utcnow

log = logging.getLogger(__name__)

KEEP_RUNS = timedelta(days=30)


@dataclass(frozen=True)
class Job:
    """Work to start once in every slot of ``every`` (slots count from 1970-01-01 UTC):
    a task to enqueue (it runs on a worker) or else a management command to run here."""

    name: str
    every: timedelta
    task: str = ""
    command: tuple[str, ...] = ()
    kwargs: tuple[tuple[str, object], ...] = field(default=())

    def slot(self, now: datetime) -> datetime:
        """Return the start of the slot that ``now`` falls in."""
        step = int(self.every.total_seconds())
        return datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=UTC)


# Targets are dotted paths and command names (data), so core imports no app.
JOBS: tuple[Job, ...] = (
    Job("outbox-sweep", timedelta(minutes=5), task="rabatt.notifications.tasks.sweep_outbox"),
    Job("receipts-sweep", timedelta(minutes=10), command=("receipts", "sweep")),
    Job("claims-lapse-overdue", timedelta(hours=1),
        task="rabatt.claims.tasks.lapse_overdue_claims"),
    Job("referrals-signals", timedelta(hours=1), command=("referrals", "signals")),
    Job("payouts-alert-due", timedelta(days=1), task="rabatt.payouts.tasks.alert_due_payouts"),
    # The scheduler starts each day's run, so the task's own chain stays off.
    Job("privacy-retention", timedelta(days=1), task="rabatt.privacy.tasks.retention_daily",
        kwargs=(("reschedule", False),)),
)
# The database queue keeps a row per task; the broker keeps nothing to prune.
PRUNE_TASKS = Job("prune-task-results", timedelta(days=1), command=("prune_db_task_results",))


def jobs() -> tuple[Job, ...]:
    """Return the jobs of this configuration."""
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        return (*JOBS, PRUNE_TASKS)
    return JOBS


def schedule_claim_due(
    *, node: str, now: datetime | None = None, among: tuple[Job, ...] | None = None
) -> list[tuple[Job, ScheduledRun]]:
    """Claim every job whose current slot no node has claimed yet; return what this node won.

    The claim is an INSERT under a unique (job, slot) constraint, so of any number of nodes
    running this at once exactly one wins each slot.
    """
    now = now or utcnow()
    won: list[tuple[Job, ScheduledRun]] = []
    for job in among if among is not None else jobs():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=job.slot(now),
                                                  node=node[:120])
        except IntegrityError:
            continue  # another node has this slot
        won.append((job, run))
    if won:
        ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    return won


def schedule_run_finish(*, run: ScheduledRun, outcome: str, detail: str = "") -> None:
    """Record how a claimed run ended."""
    ScheduledRun.objects.filter(pk=run.pk).update(
        finished_at=utcnow(), outcome=outcome[:20], detail=detail[:500])
