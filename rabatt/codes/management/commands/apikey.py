from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.selectors import campaign_get
from rabatt.codes.models import ApiKey
from rabatt.codes.services import api_key_create, api_key_revoke
from rabatt.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, list and revoke API keys of the shop API."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key; its secret is printed once")
        create.add_argument("name")
        create.add_argument("--campaign", action="append", required=True, dest="campaigns",
                            help="campaign slug the key may use (repeatable)")
        revoke = sub.add_parser("revoke", help="revoke a key by name or prefix")
        revoke.add_argument("name_or_prefix")
        sub.add_parser("list", help="list keys (never their secrets)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                campaigns = [campaign_get(slug=s) for s in options["campaigns"]]
                key, secret = api_key_create(name=options["name"], campaigns=campaigns)
                self.stderr.write(
                    f"Created API key {key.name} ({key.prefix}) for "
                    f"{', '.join(c.slug for c in campaigns)}. Store the key now: it is shown "
                    "only once.")
                self.stdout.write(secret)
            elif options["action"] == "revoke":
                key = api_key_revoke(name_or_prefix=options["name_or_prefix"])
                self.stdout.write(f"Revoked {key.name} ({key.prefix}).")
            else:
                for key in ApiKey.objects.prefetch_related("campaigns").order_by("name"):
                    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
                    slugs = ",".join(c.slug for c in key.campaigns.all())
                    self.stdout.write(f"{key.name}\t{key.prefix}\t{state}\t{slugs}")
        except DomainError as exc:
            raise CommandError(str(exc)) from None
