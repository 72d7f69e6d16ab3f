"""The claim wizard's state: which draft a browser owns, what each step holds, what is valid."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel
from rabatt.campaigns.rules import Purchase, PurchaseLine, Quote
from rabatt.campaigns.selectors import campaign_accepts_claims_check, campaign_rules
from rabatt.campaigns.services import campaign_quote
from rabatt.claims.forms import CodeForm, DetailsForm, PurchaseForm
from rabatt.claims.models import ClaimDraft
from rabatt.claims.services import (
    BankIn,
    PersonIn,
    PurchaseIn,
    bank_validate,
    draft_get,
    draft_new,
)
from rabatt.codes.models import Code
from rabatt.codes.services import code_lookup
from rabatt.core import crypto
from rabatt.core.errors import DomainError
from rabatt.core.timeutil import utcnow

STEPS = ("code", "purchase", "proof", "details", "review")


# A random id the claim form keeps in the browser, so the desk can see one browser behind
# claims of different people (only its keyed hash is stored with a claim, see datamap.py).
DEVICE_COOKIE = "rabatt_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")


def device_of(request: HttpRequest) -> str:
    """Return the browser's device id, or "" when it has none (or sent something else)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if _DEVICE_ID.match(value) else ""


def device_cookie_ensure(request: HttpRequest, response: HttpResponseBase) -> None:
    """Give a browser without a device id a new one."""
    if device_of(request):
        return
    response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=DEVICE_COOKIE_AGE,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, httponly=True)


def session_key(prefix: str, ident: str) -> str:
    return f"{prefix}:{ident}"


def draft_of(request: HttpRequest, key: str) -> ClaimDraft | None:
    """Return the unsubmitted draft this browser session owns under ``key``, if any."""
    token = request.session.get(key)
    return draft_get(token=token) if isinstance(token, str) else None


def draft_ensure(request: HttpRequest, key: str, campaign: Campaign) -> ClaimDraft:
    """Return the session's draft, starting one (and remembering its token) if needed."""
    draft = draft_of(request, key)
    if draft is None or draft.campaign_id != campaign.pk:
        draft, token = draft_new(campaign=campaign)
        request.session[key] = token
    return draft


def wizard_key(campaign: Campaign) -> str:
    return session_key("claim-draft", campaign.slug)


def done_key(campaign: Campaign) -> str:
    return session_key("claim-done", campaign.slug)


def details_seal(draft: ClaimDraft, values: dict[str, Any]) -> dict[str, str]:
    # Personal and bank details stay sealed with the draft's key: the draft table is not a
    # second, readable copy of them.
    blob = crypto.seal(bytes(draft.wrapped_key), json.dumps(values).encode())
    return {"sealed": base64.b64encode(blob).decode()}


def details_open(draft: ClaimDraft) -> dict[str, Any]:
    sealed = (draft.data.get("details") or {}).get("sealed")
    if not sealed:
        return {}
    return dict(json.loads(crypto.unseal(bytes(draft.wrapped_key), base64.b64decode(sealed))))


def purchase_moment(day: date, now: datetime | None = None) -> datetime:
    """Store a purchase day as 12:00 UTC, but never later than now (a purchase made today)."""
    now = now or utcnow()
    return min(datetime.combine(day, time(12, 0), tzinfo=UTC), now)


def purchase_lines(values: dict[str, Any]) -> list[PurchaseLine]:
    return [PurchaseLine(line["product"], Decimal(str(line["price"])), int(line["quantity"]))
            for line in values.get("lines") or []]


def quote_for(campaign: Campaign, values: dict[str, Any]) -> Quote | None:
    """Quote a (possibly half-filled) purchase step; None until there is something to quote."""
    lines = purchase_lines(values)
    if not values.get("country") or not lines:
        return None
    day = values.get("purchased_on")
    if isinstance(day, str):
        day = date.fromisoformat(day) if day else None
    moment = purchase_moment(day) if isinstance(day, date) else utcnow()
    return campaign_quote(campaign=campaign, purchase=Purchase(
        country=values["country"], channel=Channel.RETAILER,
        retailer=values.get("retailer") or None, purchased_at=moment, claimed_at=utcnow(),
        lines=lines))


def step_form(step: str, campaign: Campaign, draft: ClaimDraft) -> Any:
    """Rebuild a completed step's form from the draft (bound), to validate it again."""
    data = draft.data.get(step) or {}
    if step == "code":
        return CodeForm(data)
    if step == "purchase":
        return PurchaseForm(PurchaseForm.data_from(data), campaign=campaign,
                            lines=len(data.get("lines") or []) or 1)
    if step == "details":
        country = (draft.data.get("purchase") or {}).get("country", "")
        return DetailsForm(details_open(draft), country=country)
    raise ValueError(step)


def step_valid(step: str, campaign: Campaign, draft: ClaimDraft) -> bool:
    """Say whether a step's stored values still pass every check they passed when entered."""
    if step == "proof":
        return draft.files.exists()
    if step == "review":
        return False
    if step not in draft.data:
        return False
    form = step_form(step, campaign, draft)
    if not form.is_valid():
        return False
    if step == "code":
        try:
            code_for_claim(campaign, form.cleaned_data["code"])
        except DomainError:
            return False
    return True


def code_for_claim(campaign: Campaign, text: str) -> Code:
    """Return the usable cashback code ``text`` names; raises DomainError with the reason."""
    campaign_accepts_claims_check(campaign=campaign)
    code = code_lookup(campaign=campaign, text=text)
    if code.channel != Channel.RETAILER:
        raise DomainError(_("This code is a discount code for the brand's shop, not for "
                            "cashback."), code="code_wrong_channel")
    return code


def bank_check(campaign: Campaign, country: str, form: DetailsForm) -> None:
    """Check a valid details form's bank account for the country; raises DomainError."""
    currency = campaign_rules(campaign=campaign).currencies[country]
    bank_validate(country=country, currency=currency, bank=BankIn(
        account_holder=form.cleaned_data["account_holder"], fields=form.bank_values()))


def first_open_step(campaign: Campaign, draft: ClaimDraft | None, upto: str) -> str | None:
    """Return the first step before ``upto`` that is missing or no longer valid."""
    for step in STEPS[: STEPS.index(upto)]:
        if draft is None or not step_valid(step, campaign, draft):
            return step
    return None


def step_url(campaign: Campaign, step: str) -> str:
    return reverse("claims:step", kwargs={"slug": campaign.slug, "step": step})


def submission(draft: ClaimDraft) -> tuple[str, PersonIn, PurchaseIn, BankIn]:
    """Turn a complete draft into what ``claim_submit`` takes."""
    purchase = draft.data["purchase"]
    details = details_open(draft)
    country = purchase["country"]
    person = PersonIn(
        first_name=details.get("first_name", ""), last_name=details.get("last_name", ""),
        email=details.get("email", ""), phone=details.get("phone", ""),
        address_line1=details.get("address_line1", ""),
        address_line2=details.get("address_line2", ""), postcode=details.get("postcode", ""),
        city=details.get("city", ""), country=country)
    purchase_in = PurchaseIn(
        country=country, channel=Channel.RETAILER, retailer=purchase["retailer"],
        purchased_at=purchase_moment(date.fromisoformat(purchase["purchased_on"])),
        lines=purchase_lines(purchase), order_number=purchase.get("order_number", ""))
    bank_names = DetailsForm(country=country).bank_fields
    bank = BankIn(account_holder=details.get("account_holder", ""),
                  fields={k: str(details[k]) for k in bank_names if details.get(k)})
    return draft.data["code"]["code"], person, purchase_in, bank


def reading_proposal(campaign: Campaign, purchase: dict[str, Any],
                     found: dict[str, Any]) -> dict[str, Any]:
    """Return the purchase step's values with what a receipt shows filled in ({} if the same).

    The date, the shop (one of the campaign's for the purchase's country) and the price: the
    price printed beside the product when the receipt names it, else the receipt's total for
    a purchase of one product.
    """
    if not purchase:
        return {}
    proposed = {**purchase, "lines": [dict(line) for line in purchase.get("lines") or []]}
    day = found.get("date")
    if isinstance(day, str) and day:
        proposed["purchased_on"] = day
    retailer = (found.get("retailer") or {}).get("id")
    known = campaign_rules(campaign=campaign).retailers.get(str(retailer))
    if known is not None and known.country == purchase.get("country"):
        proposed["retailer"] = known.code
    priced = {p["id"]: p["price"] for p in found.get("products") or []}
    lines = proposed["lines"]
    for line in lines:
        if line.get("product") in priced:
            line["price"] = priced[line["product"]]
    if (len(lines) == 1 and lines[0].get("product") not in priced and found.get("total")
            and int(lines[0].get("quantity") or 1) == 1):
        lines[0]["price"] = found["total"]
    for line in lines:
        line["price"] = str(Decimal(str(line["price"])).quantize(Decimal("0.01")))
    same = all(proposed.get(k) == purchase.get(k) for k in ("purchased_on", "retailer")) and [
        (line["product"], Decimal(str(line["price"]))) for line in lines] == [
        (line["product"], Decimal(str(line["price"]))) for line in purchase.get("lines") or []]
    return {} if same else proposed
