"""Run a Celery worker for the broker task backend (RABATT_BROKER_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a worker that takes tasks from the broker (Redis or RabbitMQ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="",
                            help="comma-separated broker queues (default: every queue)")
        parser.add_argument("--concurrency", type=int, default=1,
                            help="tasks run at once by this worker (default 1 per process)")
        parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
        parser.add_argument("--hostname", default="", help="worker name (default: rabatt@host)")
        parser.add_argument("--max-tasks-per-child", type=int, default=200,
                            help="restart a pool process after this many tasks (bounds leaks)")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS["default"]["BACKEND"] != "django_tasks_celery.CeleryBackend":
            raise CommandError("No broker configured: set RABATT_BROKER_URL (redis:// or "
                               "amqp://). The database queue's worker is `rabatt db_worker`.")
        from rabatt.core.broker import app, worker_queues

        queues = [q for q in options["queues"].split(",") if q] or worker_queues()
        argv = ["worker", "--queues", ",".join(queues), "--concurrency",
                str(options["concurrency"]), "--pool", options["pool"],
                "--max-tasks-per-child", str(options["max_tasks_per_child"]),
                "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        if options["hostname"]:
            argv += ["--hostname", options["hostname"]]
        app.worker_main(argv)
