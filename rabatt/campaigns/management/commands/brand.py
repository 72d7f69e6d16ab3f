"""`rabatt brand ...`: create and list the brands whose campaigns are kept apart."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.selectors import brand_list
from rabatt.campaigns.services import brand_create
from rabatt.core.errors import DomainError


class Command(BaseCommand):
    help = "Manage brands (each campaign belongs to one; staff are granted brands)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a brand")
        create.add_argument("slug")
        create.add_argument("name")
        sub.add_parser("list", help="list brands with their number of campaigns")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            try:
                brand = brand_create(slug=options["slug"], name=options["name"])
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
            self.stdout.write(f"created brand {brand.slug} ({brand.name})")
            return
        for brand in brand_list():
            self.stdout.write(f"{brand.slug}\t{brand.name}\t{brand.campaign_count} campaign(s)")  # type: ignore[attr-defined]
