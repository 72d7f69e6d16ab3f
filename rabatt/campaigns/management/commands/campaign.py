import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.campaign_file import CampaignFileError, dump_yaml, load_path
from rabatt.campaigns.selectors import campaign_get
from rabatt.campaigns.services import campaign_export, campaign_load
from rabatt.core.errors import NotFound


class Command(BaseCommand):
    help = "Load or export campaign files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="create or update a campaign from a YAML file")
        load.add_argument("path")
        load.add_argument("--slug", help="load under this slug instead of the file's")
        load.add_argument("--brand", help="the brand's slug (instead of the file's brand: key)")
        load.add_argument("--shift-days", type=int, default=0,
                          help="move every date of the campaign by N days")
        export = sub.add_parser("export", help="print a campaign as a YAML campaign file")
        export.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options)
        else:
            try:
                campaign = campaign_get(slug=options["slug"])
            except NotFound as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(dump_yaml(campaign_export(campaign=campaign)), ending="")

    def _load(self, options: dict[str, Any]) -> None:
        try:
            data = load_path(
                options["path"], shift_days=options["shift_days"], slug=options["slug"],
                brand=options["brand"],
            )
            campaign, created = campaign_load(data=data)
        except CampaignFileError as exc:
            sys.stderr.write(f"Invalid campaign file {options['path']}:\n")
            for problem in exc.problems:
                sys.stderr.write(f"  - {problem}\n")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was changed.") from None
        verb = "Created" if created else "Updated"
        fmt = "%Y-%m-%d %H:%M"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} campaign {campaign.slug}: purchases "
            f"{campaign.purchase_starts_at:{fmt}} to before "
            f"{campaign.purchase_ends_before:{fmt}} UTC, claims before "
            f"{campaign.claims_end_before:{fmt}} UTC"
        ))
