import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rabatt.core.config import SERVE_URL_VARIABLE, serving_url, site_url


class Command(BaseCommand):
    help = "Serve the site and API with gunicorn (migrating first) plus a background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )
        parser.add_argument(
            "--no-task-worker", action="store_true",
            help="do not start a task worker (run `rabatt db_worker` elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        # Without SITE_URL, e-mailed links follow the address served here: the web workers
        # and the task worker (which sends the e-mails) read it from their environment.
        os.environ[SERVE_URL_VARIABLE] = serving_url(options["host"], options["port"])
        settings.SITE_URL = site_url()
        web = [
            sys.executable, "-m", "gunicorn", "rabatt.wsgi:application",
            "--bind", bind, "--workers", str(options["workers"]),
            "--worker-class", "gthread", "--threads", "4",
            "--access-logfile", "-", "--graceful-timeout", "10",
            # Several servers may run on one machine; a shared control socket would collide.
            "--no-control-socket",
        ]
        procs = [subprocess.Popen(web)]  # noqa: S603 - fixed argv
        uses_db_tasks = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if not options["no_task_worker"] and uses_db_tasks:
            worker = [sys.executable, "-m", "rabatt", "db_worker", "--interval", "0.5"]
            procs.append(subprocess.Popen(worker))  # noqa: S603 - fixed argv
        self.stdout.write(self.style.SUCCESS(f"Rabatt is serving on http://{bind}/"))
        self.stdout.flush()

        def stop(*_: Any) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            stop()
            for proc in procs:
                proc.wait(timeout=15)
        codes = [p.returncode for p in procs]
        if any(c not in (0, -signal.SIGTERM, -signal.SIGINT) for c in codes):
            sys.exit(1)
