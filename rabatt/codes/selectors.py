"""Reads of codes: API keys, redemptions, distribution lists and the campaign report."""

from __future__ import annotations

import functools
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.selectors import (
    CAMPAIGN_CACHE_TTL,
    CAMPAIGNS_GENERATION_KEY,
    campaigns_generation,
)
from rabatt.codes.models import (
    ApiKey,
    Code,
    Recipient,
    RecipientStatus,
    Redemption,
    RedemptionStatus,
)
from rabatt.codes.transitions import RECIPIENTS_TO_SEND
from rabatt.core.cache import (
    cache_generation_start,
    cache_get_many,
    cache_set,
    local_get,
    local_set,
)
from rabatt.core.money import minor_unit
from rabatt.core.tokens import token_hash

_CHUNK = 5000


@functools.cache
def _code_lookup_sql() -> tuple[list[str], str]:
    # In the model's field order, as Model.from_db expects of a partial row.
    fields = [f.attname for f in Code._meta.concrete_fields
              if f.attname in ("id", "campaign_id", "code", "channel", "status")]
    sql = (f"SELECT {', '.join(fields)} FROM {Code._meta.db_table} "  # noqa: S608 (model's names)
           "WHERE campaign_id = %s AND code = %s")
    return fields, sql


def code_for_text(*, campaign: Campaign, canonical: str) -> Code | None:
    """Return the campaign's code with this canonical text (other fields deferred), or None."""
    # The shop API's hottest read: as plain SQL it skips the ORM's query compilation and the
    # raw query set's column lookups, which cost more than the database's answer
    # (benchmarks/README.md, "Load"). The instance is Django's own, with the rest deferred.
    fields, sql = _code_lookup_sql()
    connection = connections[Code.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, canonical])
        row = cursor.fetchone()
    if row is None:
        return None
    code = Code.from_db(connection.alias, fields, list(row))
    code.campaign = campaign
    return code

# A key and its campaigns are read from the shared cache on every shop request. Each entry
# carries the key generation (new on every revocation, codes.services.api_key_revoke) and the
# campaigns' generation it was read under, both read before the database, so a revoked key or
# a changed campaign is never served from the shared cache once the change has committed. Each
# process also keeps its own copy for HOT_CACHE_LOCAL_SECONDS (core.cache); the redeem itself
# checks in its one statement that the key is still live.
API_KEYS_GENERATION_KEY = "rabatt:codes:apikeys:generation"


@dataclass(frozen=True)
class ApiKeyScope:
    """A live API key and the campaigns it may use, by slug."""

    key: ApiKey
    campaigns: Mapping[str, Campaign]

    @property
    def campaign_ids(self) -> list[int]:
        return sorted(c.pk for c in self.campaigns.values())


def _api_keys_generation(found: dict[str, Any]) -> str:
    generation = found.get(API_KEYS_GENERATION_KEY)
    if isinstance(generation, str):
        return generation
    # No generation (a cache emptied or down): start one; "" means "do not cache".
    return cache_generation_start(API_KEYS_GENERATION_KEY, secrets.token_hex(8))


def api_key_scope(*, secret: str) -> ApiKeyScope | None:
    """Return the live key with this secret and its campaigns (one cache round trip), or None."""
    if not secret or len(secret) > 200:
        return None
    key_hash = token_hash(secret)
    entry_key = f"rabatt:codes:apikey:{key_hash}"
    local = local_get(entry_key)
    if isinstance(local, ApiKeyScope):
        return local
    found = cache_get_many([entry_key, API_KEYS_GENERATION_KEY, CAMPAIGNS_GENERATION_KEY])
    generations = (_api_keys_generation(found), campaigns_generation(found))
    entry = found.get(entry_key)
    if (isinstance(entry, tuple) and entry[0] == generations and all(generations)
            and isinstance(entry[1], ApiKeyScope)):
        local_set(entry_key, entry[1])
        return entry[1]
    key = ApiKey.objects.filter(key_hash=key_hash, revoked_at__isnull=True).first()
    if key is None:
        # Unknown secrets are not cached: guessing must not fill the cache.
        return None
    scope = ApiKeyScope(key=key, campaigns={c.slug: c for c in key.campaigns.all()})
    if all(generations):
        cache_set(entry_key, (generations, scope), CAMPAIGN_CACHE_TTL)
        local_set(entry_key, scope)
    return scope


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """Return the live key with this secret, or None."""
    scope = api_key_scope(secret=secret)
    return scope.key if scope is not None else None


def redemption_get(*, redemption_id: int) -> Redemption | None:
    return Redemption.objects.select_related("code").filter(pk=redemption_id).first()


def recipients_to_send(*, campaign: Campaign) -> QuerySet[Recipient]:
    """Recipients who have not been e-mailed yet (failed attempts are retried)."""
    return Recipient.objects.filter(
        campaign=campaign, status__in=RECIPIENTS_TO_SEND,
    ).order_by("pk")


def recipients_status_counts(*, recipient_ids: Sequence[int]) -> dict[str, int]:
    """Count these recipients per status."""
    counts: dict[str, int] = {}
    ids = list(recipient_ids)
    for start in range(0, len(ids), _CHUNK):
        for status, n in (Recipient.objects.filter(pk__in=ids[start:start + _CHUNK])
                          .values_list("status").annotate(n=Count("pk")).order_by()):
            counts[status] = counts.get(status, 0) + int(n)
    return counts


def codes_report(*, campaign: Campaign) -> dict[str, Any]:
    """Codes issued, used and void per channel; redemptions and discount given per currency."""
    codes: dict[str, dict[str, int]] = {}
    rows = (Code.objects.filter(campaign=campaign).values("channel")
            .annotate(issued=Count("pk"), available=Count("pk", filter=Q(status="available")),
                      used=Count("pk", filter=Q(status="used")),
                      void=Count("pk", filter=Q(status="void"))))
    for crow in rows:
        codes[crow["channel"]] = {k: int(crow[k]) for k in ("issued", "available", "used", "void")}
    redemptions: dict[str, int] = {s.value: 0 for s in RedemptionStatus}
    per_currency: dict[str, dict[str, str]] = {}
    sums: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in (Redemption.objects.filter(campaign=campaign).values("status", "currency")
                .annotate(n=Count("pk"), total=Sum("discount"))):
        redemptions[row["status"]] += int(row["n"])
        sums[row["currency"]][row["status"]] = row["total"] or Decimal(0)
    for currency, by_status in sorted(sums.items()):
        per_currency[currency] = {
            "given": str(Decimal(by_status.get(RedemptionStatus.REDEEMED, 0)).quantize(
                minor_unit(currency))),
            "voided": str(Decimal(by_status.get(RedemptionStatus.VOIDED, 0)).quantize(
                minor_unit(currency))),
        }
    distribution = {s.value: 0 for s in RecipientStatus}
    for drow in (Recipient.objects.filter(campaign=campaign).values("status")
                 .annotate(n=Count("pk"))):
        distribution[drow["status"]] = int(drow["n"])
    return {
        "campaign": campaign.slug,
        "codes": codes,
        "redemptions": redemptions,
        "discount": per_currency,
        "distribution": distribution,
    }
