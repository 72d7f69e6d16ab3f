"""`rabatt reports rebuild [--campaign SLUG]` and `rabatt reports weekly`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.models import Campaign
from rabatt.reports.services import rollups_rebuild, weekly_summaries_queue


class Command(BaseCommand):
    help = "Rebuild the dashboards' day rollups from the claims and their histories."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Recompute the rollups")
        rebuild.add_argument("--campaign", default="", help="Only this campaign (slug)")
        sub.add_parser("weekly", help="Queue last week's summary e-mail to those who opted in")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "weekly":
            self.stdout.write(f"queued {weekly_summaries_queue()} weekly summary e-mail(s)\n")
            return
        ids = None
        if options["campaign"]:
            ids = list(Campaign.objects.filter(slug=options["campaign"])
                       .values_list("pk", flat=True))
            if not ids:
                raise CommandError(f"no campaign {options['campaign']!r}")
        count = rollups_rebuild(campaign_ids=ids)
        self.stdout.write(f"rebuilt the rollups of {count} claim(s)\n")
