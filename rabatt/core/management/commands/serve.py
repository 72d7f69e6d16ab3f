"""`rabatt serve`: the web server and the task workers, supervised (rabatt/core/supervisor.py)."""

import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rabatt.core.config import SERVE_URL_VARIABLE, serving_url, site_url
from rabatt.core.supervisor import Child, Supervisor


def _queues(first: str) -> str:
    # The broker worker for ``first`` also takes the default queues (the short jobs).
    from rabatt.core.broker import worker_queues

    return ",".join(dict.fromkeys([first, *(q for q in worker_queues() if q != "receipts")]))


class Command(BaseCommand):
    help = ("Serve the site and API with gunicorn (migrating first) plus background task "
            "workers, restarting any of them that crashes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )
        parser.add_argument(
            "--web-servers", type=int, default=int(os.environ.get("WEB_SERVERS", "2")),
            help="gunicorn servers sharing the port, so one can restart while another "
                 "answers (default: WEB_SERVERS or 2)",
        )
        parser.add_argument(
            "--receipt-workers", type=int,
            default=int(os.environ.get("RECEIPT_WORKERS", "1")),
            help="task workers reading receipts (default: RECEIPT_WORKERS or 1)",
        )
        parser.add_argument(
            "--no-task-worker", action="store_true",
            help="do not start task workers (run `rabatt worker` elsewhere)",
        )
        parser.add_argument(
            "--no-scheduler", action="store_true",
            help="do not run the scheduler (lapses, alerts, retention, sweeps); each slot runs "
                 "once across all nodes, so running it on every node is safe",
        )
        parser.add_argument("--no-setup", action="store_true",
                            help="do not run `rabatt setup` (migrations) first")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_setup"]:
            call_command("setup", verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        # Without SITE_URL, e-mailed links follow the address served here: the web workers
        # and the task worker (which sends the e-mails) read it from their environment.
        os.environ[SERVE_URL_VARIABLE] = serving_url(options["host"], options["port"])
        settings.SITE_URL = site_url()
        servers = max(1, options["web_servers"])
        per_server = max(1, -(-options["workers"] // servers))
        web = [
            sys.executable, "-m", "gunicorn", "rabatt.wsgi:application",
            "--bind", bind, "--workers", str(per_server),
            "--worker-class", "gthread", "--threads", "4",
            "--access-logfile", "-", "--graceful-timeout", "10",
            # The access log with secret tokens in paths and query values redacted.
            "--logger-class", "rabatt.core.logs.GunicornLogger",
            # Several servers may run on one machine; a shared control socket would collide.
            "--no-control-socket",
            # The servers share the port (SO_REUSEPORT): while a killed one restarts, the
            # other answers, and the restarted one binds at once instead of "address in use".
            "--reuse-port",
        ]
        children = [Child(f"web-{n + 1}", web) for n in range(servers)]
        uses_db_tasks = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if not options["no_task_worker"] and uses_db_tasks:
            worker = [sys.executable, "-m", "rabatt", "worker", "--interval", "0.5"]
            # E-mail has a worker of its own, so a confirmation never waits behind receipt
            # reading; that worker also runs the short jobs of the default queue.
            children.append(Child("worker-email", [*worker, "--queues", "email,default"]))
            children.extend(
                Child(f"worker-receipts-{n + 1}", [*worker, "--queues", "receipts"])
                for n in range(max(0, options["receipt_workers"])))
        uses_broker = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_celery")
        if not options["no_task_worker"] and uses_broker:
            broker = [sys.executable, "-m", "rabatt", "broker_worker", "--pool", "solo"]
            # The same split on the broker: e-mail apart from receipt reading.
            children.append(Child("broker-email", [*broker, "--queues", _queues("email")]))
            children.extend(
                Child(f"broker-receipts-{n + 1}", [*broker, "--queues", "receipts"])
                for n in range(max(0, options["receipt_workers"])))
        if not options["no_scheduler"]:
            children.append(Child("scheduler", [sys.executable, "-m", "rabatt", "scheduler"]))
        supervisor = Supervisor(children, say=self._say)

        def stop(*_: Any) -> None:
            supervisor.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervisor.start_all()
        self.stdout.write(self.style.SUCCESS(f"Rabatt is serving on http://{bind}/"))
        self.stdout.flush()
        supervisor.run()
        supervisor.stop()

    def _say(self, line: str) -> None:
        self.stdout.write(f"rabatt serve: {line}")
        self.stdout.flush()
