"""Reads of codes: API keys, redemptions, distribution lists and the campaign report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from rabatt.campaigns.models import Campaign
from rabatt.codes.models import (
    ApiKey,
    Code,
    Recipient,
    RecipientStatus,
    Redemption,
    RedemptionStatus,
)
from rabatt.codes.transitions import RECIPIENTS_TO_SEND
from rabatt.core.money import minor_unit
from rabatt.core.tokens import token_hash

_CHUNK = 5000


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """Return the live key with this secret, or None."""
    if not secret or len(secret) > 200:
        return None
    return ApiKey.objects.filter(key_hash=token_hash(secret), revoked_at__isnull=True).first()


def api_key_campaign(*, api_key: ApiKey, slug: str) -> Campaign | None:
    """Return the campaign ``slug`` if the key is scoped to it (one query)."""
    link = (ApiKey.campaigns.through.objects.select_related("campaign")
            .filter(apikey_id=api_key.pk, campaign__slug=slug).first())
    return link.campaign if link is not None else None


def api_key_campaign_ids(*, api_key: ApiKey) -> list[int]:
    return list(api_key.campaigns.values_list("pk", flat=True))


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
