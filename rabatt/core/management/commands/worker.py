"""`rabatt worker`: run background tasks, surviving database outages, with a heartbeat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from rabatt.core.worker import ResilientWorker
from rabatt.notifications.services import outbox_sweep
from rabatt.receipts.services import receipt_orphans_remove


class Command(BaseCommand):
    help = ("Run background tasks from the given queues; a task of a worker that died is "
            "run again after the lease (TASK_LEASE_SECONDS).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*",
                            help="comma-separated queues to serve, or * for all (default)")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds to wait when no task is ready (default 0.5)")
        parser.add_argument("--batch", action="store_true",
                            help="run every ready task, then exit")
        parser.add_argument("--worker-id", default="",
                            help="unique id of this worker (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        queues = options["queues"].split(",")
        housekeeping: list[tuple[float, Callable[[], object]]] = [
            (3600.0, receipt_orphans_remove)]
        if "*" in queues or "email" in queues:
            # An e-mail whose sender died mid-send is free again when its lease ends; the
            # sweep wakes it without a cron (sending twice is prevented by the row's claim).
            housekeeping.append((60.0, outbox_sweep))
        worker = ResilientWorker(
            queue_names=queues, interval=options["interval"],
            batch=options["batch"], backend_name="default", startup_delay=False,
            max_tasks=None, worker_id=options["worker_id"][:64] or get_random_string(32),
            excluded_queue_names=[],
            lease=timedelta(seconds=settings.TASK_LEASE_SECONDS),
            beat_every=settings.TASK_HEARTBEAT_SECONDS,
            housekeeping=housekeeping,
        )
        worker.configure_signals()
        worker.run()
