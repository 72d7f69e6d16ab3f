from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rabatt.claims.services import claims_lapse_overdue


class Command(BaseCommand):
    help = "Claim housekeeping."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("lapse-overdue",
                       help="lapse claims whose 7-day answer window has passed (run hourly)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = claims_lapse_overdue()
        self.stdout.write(f"Lapsed {count} claim(s).")
