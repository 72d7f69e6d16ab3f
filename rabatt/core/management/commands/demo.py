import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rabatt.accounts.services import staff_create
from rabatt.campaigns.campaign_file import load_path
from rabatt.campaigns.services import campaign_load
from rabatt.core.demo_claims import demo_claims_create
from rabatt.core.timeutil import utcnow

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "campaigns" / "sonos-summer-2019.yaml"
LIVE_SLUG = "sonos-summer-live"
DEMO_EMAIL = "demo@rabatt.invalid"


def _example_path() -> Path:
    # Installed from a wheel the examples are not beside the package; a checkout has them.
    if EXAMPLE.exists():
        return EXAMPLE
    return Path.cwd() / "examples" / "campaigns" / "sonos-summer-2019.yaml"


class Command(BaseCommand):
    help = "Set up, load the example campaign and a live copy, create a demo staff user, serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", verbosity=0)
        path = _example_path()
        original = load_path(path)
        campaign_load(data=original)
        # Put today about a week into the copy's purchase window.
        shift = (utcnow() - original.purchase_starts_at).days - 7
        live, _ = campaign_load(data=load_path(path, shift_days=shift, slug=LIVE_SLUG))
        # Read by the background worker that ``serve`` starts; the desk shows the results.
        made = demo_claims_create(campaign=live)
        password = secrets.token_urlsafe(12)
        user = get_user_model().objects.filter(username=DEMO_EMAIL).first()
        if user is None:
            user = staff_create(email=DEMO_EMAIL, role="administrator", password=password)
        else:
            user.set_password(password)
        # The administrator may also use the Django admin, behind the same 2FA login.
        user.is_staff = True
        user.is_superuser = True
        user.save()
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(
            f"  Live campaign: {live.slug} (purchases {live.purchase_starts_at:%Y-%m-%d} to "
            f"{live.purchase_ends_before:%Y-%m-%d}, claims until {live.claims_end_before:%Y-%m-%d})"
        )
        if made:
            self.stdout.write(f"  Claims:      {len(made)} demo claims with receipt photos "
                              f"({', '.join(c.reference for c in made)}), read in the background")
        self.stdout.write(f"  Site:      {base}/")
        self.stdout.write(f"  API docs:    {base}/api/v1/docs")
        self.stdout.write(f"  Staff desk:  {base}/staff/  user {DEMO_EMAIL}  password {password}")
        self.stdout.write("               (the first login sets up a TOTP authenticator)")
        self.stdout.write(f"  Admin:       {base}/admin/ (same login)")
        self.stdout.flush()
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
