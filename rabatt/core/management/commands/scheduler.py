"""Run the scheduled jobs; start it on every node, each slot runs on exactly one."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils.module_loading import import_string

from rabatt.core.schedule import Job, schedule_claim_due, schedule_run_finish

log = logging.getLogger("rabatt.scheduler")


class Command(BaseCommand):
    help = "Run scheduled jobs (sweeps, lapses, alerts, retention) once per slot across nodes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="claim and run what is due now, then exit (for cron)")
        parser.add_argument("--interval", type=float, default=30.0,
                            help="seconds between looks at the schedule (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        node = f"{socket.gethostname()}:{os.getpid()}"
        while True:
            try:
                for job, run in schedule_claim_due(node=node):
                    outcome, detail = self._start(job)
                    schedule_run_finish(run=run, outcome=outcome, detail=detail)
                    self.stdout.write(f"{job.name} {run.slot:%Y-%m-%dT%H:%MZ}: {outcome}")
            except DatabaseError:
                if options["once"]:
                    raise
                # The database is away: look again later, the slot is still unclaimed.
                log.warning("scheduler could not reach the database", exc_info=True)
            if options["once"]:
                return
            close_old_connections()
            time.sleep(max(options["interval"], 1.0))

    def _start(self, job: Job) -> tuple[str, str]:
        try:
            if job.task:
                import_string(job.task).enqueue(**dict(job.kwargs))
                return "enqueued", job.task
            call_command(*job.command, stdout=self.stdout)
            return "ok", " ".join(job.command)
        except Exception as exc:
            # One failing job must not stop the others; its row keeps what went wrong.
            log.exception("scheduled job %s failed", job.name)
            return "failed", type(exc).__name__  # the message may quote personal data
