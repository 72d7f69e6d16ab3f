"""Writes to campaigns: load a campaign file, export it back, quote a purchase."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from rabatt.campaigns.campaign_file import (
    CHANNELS,
    CampaignData,
    CampaignFileError,
    format_datetime,
)
from rabatt.campaigns.models import (
    Campaign,
    CampaignChannel,
    CampaignCountry,
    CampaignRule,
    Cap,
    Product,
    Retailer,
)
from rabatt.campaigns.rules import DEFAULT_RULE_KINDS, Purchase, Quote, quote
from rabatt.campaigns.selectors import CAMPAIGNS_GENERATION_KEY, campaign_rules
from rabatt.core.cache import local_clear


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


@transaction.atomic
def campaign_load(*, data: CampaignData) -> tuple[Campaign, bool]:
    """Create or update the campaign described by a validated file; return it and created."""
    raw = data.raw
    campaign = Campaign.objects.select_for_update().filter(slug=raw["slug"]).first()
    created = campaign is None
    if campaign is None:
        campaign = Campaign(slug=raw["slug"])
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
