"""`rabatt reports rebuild [--campaign SLUG]`: recompute the dashboards' day rollups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.models import Campaign
from rabatt.reports.services import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboards' day rollups from the claims and their histories."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Recompute the rollups")
        rebuild.add_argument("--campaign", default="", help="Only this campaign (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = None
        if options["campaign"]:
            ids = list(Campaign.objects.filter(slug=options["campaign"])
                       .values_list("pk", flat=True))
            if not ids:
                raise CommandError(f"no campaign {options['campaign']!r}")
        count = rollups_rebuild(campaign_ids=ids)
        self.stdout.write(f"rebuilt the rollups of {count} claim(s)\n")
