"""Writes to campaigns: load a campaign file, export it back, quote a purchase."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.campaign_file import (
    CHANNELS,
    CampaignData,
    CampaignFileError,
    format_datetime,
)
from rabatt.campaigns.models import (
    Brand,
    Campaign,
    CampaignChannel,
    CampaignCountry,
    CampaignEvent,
    CampaignRule,
    Cap,
    Product,
    Retailer,
)
from rabatt.campaigns.rules import DEFAULT_RULE_KINDS, Purchase, Quote, quote
from rabatt.campaigns.selectors import CAMPAIGNS_GENERATION_KEY, campaign_rules
from rabatt.campaigns.transitions import TRANSITIONS
from rabatt.core.cache import local_clear
from rabatt.core.errors import Conflict, DomainError
from rabatt.core.timeutil import utcnow
from rabatt.core.transitions import apply

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def brand_create(*, slug: str, name: str) -> Brand:
    """Create a brand whose campaigns and staff are kept apart from other brands'."""
    slug = slug.strip().lower()
    name = name.strip()
    if not SLUG_RE.match(slug):
        raise DomainError(_("A brand's slug is lower-case letters, digits and hyphens."),
                          code="invalid_slug", fields={"slug": slug})
    if not name:
        raise DomainError(_("A brand needs a name."), code="invalid_name")
    with transaction.atomic():
        brand, created = Brand.objects.get_or_create(slug=slug, defaults={"name": name})
    if not created:
        raise Conflict(_("A brand with this slug exists already."), code="brand_exists")
    return brand


def campaign_bump_revision(*, campaign_id: int) -> None:
    """Mark a campaign's cached rules and cached reads as stale after any change to it."""
    Campaign.objects.filter(pk=campaign_id).update(revision=F("revision") + 1)
    # Now, for reads in this transaction, and again after commit: a reader that fetched the
    # old rows before the commit cached them under the generation set now.
    campaigns_cache_invalidate()
    transaction.on_commit(campaigns_cache_invalidate)


def campaigns_cache_invalidate() -> None:
    """Start a new cache generation: every campaign cached so far is read again."""
    local_clear()
    cache.set(CAMPAIGNS_GENERATION_KEY, secrets.token_hex(8), None)


def _campaign_move(campaign: Campaign, action: str, actor: Any) -> CampaignEvent:
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        transition = TRANSITIONS.check(action, status=locked.state, actor_type="staff")
        previous = apply(locked, transition, field="state")
        event = CampaignEvent.objects.create(campaign=locked, action=action,
                                             state_from=previous, state_to=locked.state,
                                             actor=actor, at=utcnow())
        # Cached campaigns carry their state: readers must see the new one.
        campaign_bump_revision(campaign_id=locked.pk)
    campaign.state = locked.state
    return event


def campaign_pause(*, campaign: Campaign, actor: Any) -> CampaignEvent:
    """Stop accepting new claims; those already submitted are still reviewed and paid."""
    return _campaign_move(campaign, "pause", actor)


def campaign_resume(*, campaign: Campaign, actor: Any) -> CampaignEvent:
    """Accept new claims again after a pause."""
    return _campaign_move(campaign, "resume", actor)


@transaction.atomic
def campaign_load(*, data: CampaignData) -> tuple[Campaign, bool]:
    """Create or update the campaign described by a validated file; return it and created."""
    raw = data.raw
    brand = None
    if raw.get("brand"):
        brand = Brand.objects.filter(slug=raw["brand"]).first()
        if brand is None:
            raise CampaignFileError([f"brand: no brand {raw['brand']!r}; create it first with "
                                     f"`rabatt brand create {raw['brand']} NAME`"])
    campaign = Campaign.objects.select_for_update().filter(slug=raw["slug"]).first()
    created = campaign is None
    if campaign is None:
        campaign = Campaign(slug=raw["slug"])
    if brand is not None:  # a file without a brand leaves the campaign's brand as it is
        campaign.brand = brand
    campaign.name = raw["name"]
    campaign.default_locale = raw.get("default_locale", "en")
    campaign.benefit_rate = Decimal(str(raw["benefit"]["rate"]))
    campaign.purchase_starts_at = data.purchase_starts_at
    campaign.purchase_ends_before = data.purchase_ends_before
    campaign.claims_end_before = data.claims_end_before
    campaign.cap_tolerance = Decimal(str(raw.get("cap_tolerance", 2)))
    campaign.reference_rates = {k: str(v) for k, v in (raw.get("reference_rates") or {}).items()}
    campaign.content = raw.get("content") or {}
    campaign.review = raw.get("review") or {}
    campaign.save()

    _sync_countries(campaign, raw["countries"])
    products = _sync_products(campaign, raw["products"])
    _sync_retailers(campaign, raw["retailers"])
    _sync_channels(campaign, raw["channels"], products)
    _sync_rules(campaign, raw.get("rules") or list(DEFAULT_RULE_KINDS))
    campaign_bump_revision(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign, created


def _sync_countries(campaign: Campaign, countries: dict[str, Any]) -> None:
    campaign.countries.exclude(country__in=countries.keys()).delete()
    existing = {c.country: c for c in campaign.countries.all()}
    for code, info in countries.items():
        row = existing.get(code) or CampaignCountry(campaign=campaign, country=code)
        row.currency = info["currency"]
        row.save()


def _sync_products(campaign: Campaign, items: list[dict[str, Any]]) -> dict[str, Product]:
    ids = [p["id"] for p in items]
    _delete_missing(campaign.products.exclude(code__in=ids), "product")
    existing = {p.code: p for p in campaign.products.all()}
    result = {}
    for position, item in enumerate(items):
        row = existing.get(item["id"]) or Product(campaign=campaign, code=item["id"])
        row.position = position
        row.name = item["name"]
        row.aliases = list(item.get("aliases", []))
        row.flags = list(item.get("flags", []))
        row.save()
        result[row.code] = row
    return result


def _sync_retailers(campaign: Campaign, items: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in items]
    _delete_missing(campaign.retailers.exclude(code__in=ids), "retailer")
    existing = {r.code: r for r in campaign.retailers.all()}
    for position, item in enumerate(items):
        row = existing.get(item["id"]) or Retailer(campaign=campaign, code=item["id"])
        row.position = position
        row.country = item["country"]
        row.name = item["name"]
        row.aliases = list(item.get("aliases", []))
        row.website = item.get("website", "")
        row.save()


def _sync_channels(
    campaign: Campaign, channels: dict[str, Any], products: dict[str, Product]
) -> None:
    campaign.channels.exclude(channel__in=channels.keys()).delete()
    campaign.caps.all().delete()
    for name, spec in channels.items():
        row, _ = CampaignChannel.objects.get_or_create(campaign=campaign, channel=name)
        row.all_products = spec["products"] == "all"
        row.excluded_flags = list(spec.get("exclude_flags", []))
        row.save()
        row.products.set([] if row.all_products else [products[p] for p in spec["products"]])
        Cap.objects.bulk_create(
            Cap(campaign=campaign, channel=name, currency=cur, amount=Decimal(str(amount)))
            for cur, amount in spec["caps"].items()
        )


def _sync_rules(campaign: Campaign, kinds: list[str]) -> None:
    campaign.rules.all().delete()
    CampaignRule.objects.bulk_create(
        CampaignRule(campaign=campaign, kind=kind, position=i) for i, kind in enumerate(kinds)
    )


def _delete_missing(queryset: Any, what: str) -> None:
    from django.db.models import ProtectedError, RestrictedError

    try:
        queryset.delete()
    except (ProtectedError, RestrictedError) as exc:
        names = ", ".join(sorted(str(o) for o in exc.args[1]))[:200]
        raise CampaignFileError(
            [f"{what}s removed from the file are still in use and cannot be deleted: {names}"]
        ) from None


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral() else value.normalize()


def campaign_export(*, campaign: Campaign) -> dict[str, Any]:
    """Return the campaign in the campaign-file format (loads back to the same campaign)."""
    caps: dict[str, dict[str, int | Decimal]] = {}
    for cap in campaign.caps.all():
        caps.setdefault(cap.channel, {})[cap.currency] = _number(cap.amount)
    channels: dict[str, Any] = {}
    for ch in sorted(campaign.channels.all(), key=lambda c: CHANNELS.index(c.channel)):
        spec: dict[str, Any] = {"caps": caps.get(ch.channel, {})}
        if ch.all_products:
            spec["products"] = "all"
            spec["exclude_flags"] = list(ch.excluded_flags)
        else:
            spec["products"] = [p.code for p in ch.products.all()]
        channels[ch.channel] = spec
    data: dict[str, Any] = {
        "format": 1,
        "slug": campaign.slug,
        **({"brand": campaign.brand.slug} if campaign.brand is not None else {}),
        "name": dict(campaign.name),
        "default_locale": campaign.default_locale,
        "benefit": {"kind": "percentage", "rate": _number(campaign.benefit_rate)},
        "purchase_window": {
            "starts_at": format_datetime(campaign.purchase_starts_at),
            "ends_before": format_datetime(campaign.purchase_ends_before),
        },
        "claims": {"ends_before": format_datetime(campaign.claims_end_before)},
        "countries": {c.country: {"currency": c.currency} for c in campaign.countries.all()},
        "channels": channels,
        "products": [_product_dict(p) for p in campaign.products.all()],
        "retailers": [_retailer_dict(r) for r in campaign.retailers.all()],
    }
    kinds = [r.kind for r in campaign.rules.all()]
    if tuple(kinds) != DEFAULT_RULE_KINDS:
        data["rules"] = kinds
    if campaign.cap_tolerance != Decimal(2):
        data["cap_tolerance"] = _number(campaign.cap_tolerance)
    if campaign.reference_rates:
        data["reference_rates"] = {
            k: _number(Decimal(v)) for k, v in campaign.reference_rates.items()
        }
    if campaign.review:
        data["review"] = campaign.review
    if campaign.content:
        data["content"] = campaign.content
    return data


def _product_dict(p: Product) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.code, "name": dict(p.name)}
    if p.aliases:
        out["aliases"] = list(p.aliases)
    if p.flags:
        out["flags"] = list(p.flags)
    return out


def _retailer_dict(r: Retailer) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.code, "country": r.country, "name": r.name}
    if r.aliases:
        out["aliases"] = list(r.aliases)
    if r.website:
        out["website"] = r.website
    return out


def campaign_quote(*, campaign: Campaign, purchase: Purchase) -> Quote:
    """Answer whether ``purchase`` qualifies in ``campaign`` and for how much."""
    return quote(campaign_rules(campaign=campaign), purchase)
