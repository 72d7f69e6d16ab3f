from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or migrate the database in RABATT_HOME (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options.get("verbosity", 1))
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("createcachetable", verbosity=0)
        if verbosity:
            db = settings.DATABASES["default"]
            where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['HOST']}/{db['NAME']}"
            self.stdout.write(self.style.SUCCESS(f"Database ready: {where}"))
            self.stdout.write(f"RABATT_HOME: {settings.RABATT_HOME}")
