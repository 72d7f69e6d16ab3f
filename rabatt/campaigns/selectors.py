"""Reads of campaigns."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from rabatt.campaigns.models import Brand, Campaign, CampaignChannel, CampaignEvent
from rabatt.campaigns.rules import (
    CampaignRules,
    ChannelInfo,
    ProductInfo,
    RetailerInfo,
)
from rabatt.campaigns.transitions import REFUSING_CLAIMS
from rabatt.core.cache import (
    cache_generation_start,
    cache_get_many,
    cache_set,
    local_get,
    local_set,
)
from rabatt.core.errors import Conflict, NotFound
from rabatt.core.timeutil import utcnow

_snapshots: dict[int, CampaignRules] = {}
_lock = threading.Lock()

# Every campaign read from the shared cache carries the generation it was read under; any
# change to any campaign sets a new generation (campaigns.services.campaign_bump_revision), so
# no web process ever uses a stale entry. The TTL only bounds what a change made outside the
# services (raw SQL) could leave behind.
CAMPAIGNS_GENERATION_KEY = "rabatt:campaigns:generation"
CAMPAIGN_CACHE_TTL = 300


def campaigns_generation(found: dict[str, object]) -> str:
    """Return the campaigns' cache generation from a ``cache.get_many`` answer, starting one."""
    generation = found.get(CAMPAIGNS_GENERATION_KEY)
    if isinstance(generation, str):
        return generation
    # No generation (a cache emptied or down): start one; "" means "do not cache".
    return cache_generation_start(CAMPAIGNS_GENERATION_KEY, secrets.token_hex(8))


def campaign_get(*, slug: str) -> Campaign:
    """Return the campaign with ``slug`` or raise NotFound."""
    try:
        return Campaign.objects.get(slug=slug)
    except Campaign.DoesNotExist:
        raise NotFound(f"No campaign {slug!r}.") from None


def campaign_get_cached(*, slug: str) -> Campaign:
    """Return the campaign with ``slug`` through the shared cache or raise NotFound."""
    # Hashed: a slug from a URL may hold characters a cache key must not.
    entry_key = "rabatt:campaign:" + hashlib.sha256(slug.encode()).hexdigest()[:32]
    local = local_get(entry_key)
    if isinstance(local, Campaign):
        return local
    found = cache_get_many([entry_key, CAMPAIGNS_GENERATION_KEY])
    # Read the generation before the database, so an entry built from rows that change
    # meanwhile carries the old generation and is never used.
    generation = campaigns_generation(found)
    entry = found.get(entry_key)
    if (isinstance(entry, tuple) and entry[0] == generation and generation
            and isinstance(entry[1], Campaign)):
        local_set(entry_key, entry[1])
        return entry[1]
    campaign = campaign_get(slug=slug)
    if generation:
        cache_set(entry_key, (generation, campaign), CAMPAIGN_CACHE_TTL)
        local_set(entry_key, campaign)
    return campaign


def campaign_accepts_claims_check(*, campaign: Campaign) -> None:
    """Refuse a new claim while the campaign is paused (read from the database, not a cache)."""
    if Campaign.objects.filter(pk=campaign.pk, state__in=REFUSING_CLAIMS).exists():
        raise Conflict(_("This campaign is paused and does not accept new claims at the moment. "
                         "Please try again later."), code="campaign_paused")


def campaign_events(*, campaign: Campaign) -> QuerySet[CampaignEvent]:
    """The state changes of a campaign (pause, resume), newest first, with who made them."""
    return CampaignEvent.objects.filter(campaign=campaign).select_related("actor")


def campaign_list_live(*, at: datetime | None = None) -> QuerySet[Campaign]:
    """Campaigns whose purchase window has opened and whose claim deadline has not passed."""
    now = at or utcnow()
    return Campaign.objects.filter(purchase_starts_at__lte=now, claims_end_before__gt=now)


def _build_snapshot(campaign: Campaign) -> CampaignRules:
    caps: dict[str, dict[str, Decimal]] = {}
    for cap in campaign.caps.all():
        caps.setdefault(cap.channel, {})[cap.currency] = cap.amount
    channels = {}
    for ch in campaign.channels.all():
        channels[ch.channel] = ChannelInfo(
            channel=ch.channel,
            all_products=ch.all_products,
            excluded_flags=frozenset(ch.excluded_flags),
            products=frozenset(p.code for p in ch.products.all()),
            caps=caps.get(ch.channel, {}),
        )
    return CampaignRules(
        campaign_id=campaign.pk,
        slug=campaign.slug,
        revision=campaign.revision,
        updated_at=campaign.updated_at,
        benefit_rate=campaign.benefit_rate,
        purchase_starts_at=campaign.purchase_starts_at,
        purchase_ends_before=campaign.purchase_ends_before,
        claims_end_before=campaign.claims_end_before,
        currencies={c.country: c.currency for c in campaign.countries.all()},
        channels=channels,
        products={
            p.code: ProductInfo(p.code, dict(p.name), tuple(p.aliases), frozenset(p.flags))
            for p in campaign.products.all()
        },
        retailers={
            r.code: RetailerInfo(r.code, r.country, r.name, tuple(r.aliases))
            for r in campaign.retailers.all()
        },
        rule_kinds=tuple(r.kind for r in campaign.rules.all()),
    )


def campaign_rules(*, campaign: Campaign) -> CampaignRules:
    """Return the rules snapshot of ``campaign``, rebuilt only when its revision changed."""
    cached = _snapshots.get(campaign.pk)
    if (cached is not None and cached.revision == campaign.revision
            and cached.updated_at == campaign.updated_at):
        return cached
    fresh = Campaign.objects.prefetch_related(
        "caps", "countries", "products", "retailers", "rules",
        Prefetch("channels", queryset=CampaignChannel.objects.prefetch_related("products")),
    ).get(pk=campaign.pk)
    snapshot = _build_snapshot(fresh)
    with _lock:
        _snapshots[campaign.pk] = snapshot
    return snapshot


def brand_list() -> QuerySet[Brand]:
    """Every brand, with ``campaign_count``."""
    return Brand.objects.annotate(campaign_count=Count("campaigns")).order_by("slug")
