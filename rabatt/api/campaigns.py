"""Public campaign endpoints: campaign info and the quote."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import AwareDatetime, field_validator

from rabatt.campaigns.models import translated
from rabatt.campaigns.rules import Purchase, PurchaseLine
from rabatt.campaigns.selectors import campaign_get, campaign_get_cached, campaign_rules
from rabatt.campaigns.services import campaign_quote
from rabatt.core.errors import DomainError
from rabatt.core.timeutil import utcnow

router = Router(tags=["campaigns"])


class ErrorOut(Schema):
    """An error: a stable ``code``, a translated ``message``, and details where useful."""

    code: str
    message: str
    detail: list[dict[str, Any]] | None = Field(None, description="Field errors")
    fields: dict[str, Any] | None = None
    reasons: list[dict[str, Any]] | None = Field(
        None, description="Why a purchase does not qualify"
    )


class QuoteLineIn(Schema):
    product: str = Field(min_length=1, max_length=80)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2,
                           description="Unit price paid, in the country's currency")
    quantity: int = Field(1, ge=1, le=1000)


class QuoteIn(Schema):
    country: str = Field(pattern=r"^[A-Za-z]{2}$", examples=["NO"])
    channel: Literal["retailer", "direct"]
    retailer: str | None = Field(None, max_length=80,
                                 description="Retailer id; required for the retailer channel")
    purchased_at: AwareDatetime
    claimed_at: AwareDatetime | None = Field(None, description="Defaults to now")
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=100)

    @field_validator("country", "currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class QuoteLineOut(Schema):
    product: str
    qualifying: bool


class ReasonOut(Schema):
    code: str
    message: str
    product: str | None = None


class QuoteOut(Schema):
    eligible: bool
    currency: str | None
    amount: Decimal
    capped: bool
    lines: list[QuoteLineOut]
    reasons: list[ReasonOut]


class ChannelOut(Schema):
    channel: str
    caps: dict[str, Decimal]
    products: list[str]


class ProductOut(Schema):
    id: str
    name: str
    flags: list[str]


class RetailerOut(Schema):
    id: str
    country: str
    name: str


class CampaignOut(Schema):
    slug: str
    name: str
    benefit_rate: Decimal
    purchase_starts_at: datetime
    purchase_ends_before: datetime
    claims_end_before: datetime
    countries: dict[str, str] = Field(description="Country code to currency")
    channels: list[ChannelOut]
    products: list[ProductOut]
    retailers: list[RetailerOut]


@router.get("/campaigns/{slug}", response={200: CampaignOut, 404: ErrorOut},
            summary="Public information about a campaign")
def campaign_detail(request: HttpRequest, slug: str) -> dict[str, object]:
    campaign = campaign_get(slug=slug)
    rules = campaign_rules(campaign=campaign)
    return {
        "slug": campaign.slug,
        "name": campaign.display_name,
        "benefit_rate": campaign.benefit_rate.normalize(),
        "purchase_starts_at": campaign.purchase_starts_at,
        "purchase_ends_before": campaign.purchase_ends_before,
        "claims_end_before": campaign.claims_end_before,
        "countries": dict(rules.currencies),
        "channels": [
            {
                "channel": ch.channel,
                "caps": dict(ch.caps),
                "products": [p.code for p in rules.products.values() if ch.qualifies(p)],
            }
            for ch in rules.channels.values()
        ],
        "products": [
            {"id": p.code, "name": translated(dict(p.name), p.code), "flags": sorted(p.flags)}
            for p in rules.products.values()
        ],
        "retailers": [
            {"id": r.code, "country": r.country, "name": r.name} for r in rules.retailers.values()
        ],
    }


@router.post("/campaigns/{slug}/quote", response={200: QuoteOut, 404: ErrorOut, 422: ErrorOut},
             summary="Does a purchase qualify, and for how much?")
def campaign_quote_endpoint(request: HttpRequest, slug: str, payload: QuoteIn) -> dict[str, object]:
    campaign = campaign_get_cached(slug=slug)
    if payload.channel == "retailer" and not payload.retailer:
        raise DomainError("retailer is required for the retailer channel", code="invalid_input",
                          fields={"retailer": "required for the retailer channel"})
    result = campaign_quote(
        campaign=campaign,
        purchase=Purchase(
            country=payload.country,
            channel=payload.channel,
            retailer=payload.retailer if payload.channel == "retailer" else None,
            purchased_at=payload.purchased_at,
            claimed_at=payload.claimed_at or utcnow(),
            currency=payload.currency,
            lines=[PurchaseLine(x.product, x.price, x.quantity) for x in payload.lines],
        ),
    )
    return {
        "eligible": result.eligible,
        "currency": result.currency,
        "amount": result.amount,
        "capped": result.capped,
        "lines": [{"product": x.product, "qualifying": x.qualifying} for x in result.lines],
        "reasons": [
            {"code": r.code, "message": str(r.message), "product": r.product}
            for r in result.reasons
        ],
    }
