"""Prepare the demo: the example campaign, a live copy, demo claims and a demo administrator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model

from rabatt.accounts.services import staff_create
from rabatt.campaigns.campaign_file import load_path
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import campaign_load
from rabatt.claims.models import Claim
from rabatt.codes.alphabet import display
from rabatt.codes.services import codes_issue
from rabatt.core.timeutil import utcnow
from rabatt.demo.claims import demo_claims_create
from rabatt.payouts.models import PayerAccount
from rabatt.payouts.services import payer_create

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaigns" / "sonos-summer-2019.yaml"
LIVE_SLUG = "sonos-summer-live"
DEMO_EMAIL = "demo@rabatt.invalid"
DEMO_PAYER = "Rabatt Demo AS"
# A valid Norwegian test IBAN (DNB): schwifty finds its BIC, so the bank file names the bank.
DEMO_PAYER_IBAN = "NO9386011117947"


@dataclass(frozen=True)
class Demo:
    live: Campaign
    claims: list[Claim]
    email: str
    password: str
    # Fresh, unused cashback codes of the live campaign, for the wizard.
    codes: tuple[str, ...] = ()
    # (reference, e-mail) of claims to look up in the tracker.
    tracked: tuple[tuple[str, str], ...] = ()


def example_path() -> Path:
    """Return the example campaign file (beside the package in a checkout, else the cwd's)."""
    if EXAMPLE.exists():
        return EXAMPLE
    return Path.cwd() / "examples" / "campaigns" / "sonos-summer-2019.yaml"


def demo_prepare() -> Demo:
    """Load the example campaign and a live copy, add demo claims, reset the demo login."""
    path = example_path()
    original = load_path(path)
    campaign_load(data=original)
    # Put today about a week into the copy's purchase window.
    shift = (utcnow() - original.purchase_starts_at).days - 7
    live, _ = campaign_load(data=load_path(path, shift_days=shift, slug=LIVE_SLUG))
    # Read by the background worker that ``serve`` starts; the desk shows the results.
    made = demo_claims_create(campaign=live)
    demo_payer_ensure(currencies=sorted(set(live.countries.values_list("currency", flat=True))))
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
    codes = tuple(display(c) for c in codes_issue(campaign=live, channel="retailer", count=3,
                                                   note="rabatt demo"))
    tracked = tuple(Claim.objects.filter(campaign=live).order_by("pk")
                    .values_list("reference", "email")[:4])
    return Demo(live=live, claims=made, email=DEMO_EMAIL, password=password, codes=codes,
                tracked=tracked)


def demo_payer_ensure(*, currencies: list[str]) -> PayerAccount:
    """The demo's paying account for ``currencies``, so a fresh demo can build a batch."""
    payer = PayerAccount.objects.filter(name=DEMO_PAYER).first()
    if payer is not None:
        missing = sorted(set(currencies) - set(payer.currencies))
        if missing:
            payer.currencies = sorted({*payer.currencies, *missing})
            payer.save(update_fields=["currencies"])
        return payer
    return payer_create(name=DEMO_PAYER, iban=DEMO_PAYER_IBAN, country="NO",
                        currencies=currencies)
