from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Encryption keys: rotate the master key and re-wrap every data key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="add a master key and re-wrap every data key with it")

    def handle(self, *args: Any, **options: Any) -> None:
        from rabatt.privacy.keys import keys_rotate

        counts = keys_rotate()
        for label, count in counts["rewrapped"].items():
            self.stdout.write(f"{label:28} re-wrapped {count}")
        self.stdout.write(self.style.SUCCESS(
            f"New master key {counts['master_key']}; every data key is wrapped by it. Older "
            "master keys can now be moved offline, with the backups they protect."))
