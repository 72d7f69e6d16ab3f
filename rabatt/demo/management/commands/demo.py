from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rabatt.demo.services import demo_prepare


class Command(BaseCommand):
    help = "Set up, load the example campaign and a live copy, create a demo staff user, serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", verbosity=0)
        demo = demo_prepare()
        live = demo.live
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(
            f"  Live campaign: {live.slug} (purchases {live.purchase_starts_at:%Y-%m-%d} to "
            f"{live.purchase_ends_before:%Y-%m-%d}, claims until {live.claims_end_before:%Y-%m-%d})"
        )
        if demo.claims:
            self.stdout.write(f"  Claims:      {len(demo.claims)} demo claims with receipt photos "
                              f"({', '.join(c.reference for c in demo.claims)}), read in the "
                              "background")
        self.stdout.write("  Payouts:     paying account Rabatt Demo AS "
                          "(rabatt payouts payer list)")
        if demo.codes:
            self.stdout.write(f"  Codes to try: {', '.join(demo.codes)} (each works once, in "
                              f"{base}/c/{live.slug}/claim/)")
        for reference, email in demo.tracked:
            self.stdout.write(f"  Track:       {reference} with {email} at {base}/track/")
        self.stdout.write(f"  Site:      {base}/")
        self.stdout.write(f"  API docs:    {base}/api/v1/docs")
        self.stdout.write(f"  Staff desk:  {base}/staff/  user {demo.email}  password "
                          f"{demo.password}")
        self.stdout.write("               (the first login sets up a TOTP authenticator)")
        self.stdout.write(f"  Admin:       {base}/admin/ (same login)")
        self.stdout.flush()
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
