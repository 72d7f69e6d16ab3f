"""The shop API: validate, redeem, cancel and return discount codes with an API key.

See docs/shop-api.md. Every refusal is a JSON object with a stable ``code``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer
from pydantic import field_validator

from rabatt.api.campaigns import ErrorOut
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.rules import PurchaseLine
from rabatt.codes.conf import shop_rate_per_ip, shop_rate_per_key
from rabatt.codes.models import Redemption
from rabatt.codes.selectors import ApiKeyScope, api_key_scope
from rabatt.codes.services import (
    OrderIn,
    code_redeem,
    code_validate,
    redemption_cancel,
    redemption_void,
)
from rabatt.core.errors import NotFound, PermissionDenied
from rabatt.core.ratelimit import client_ip, rate_limit

router = Router(tags=["shop"])


class ShopKeyAuth(HttpBearer):
    """``Authorization: Bearer KEY``; every attempt counts against the client's IP limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKeyScope | None:
        rate_limit(scope="shop-ip", key=client_ip(request), limit=shop_rate_per_ip(), window=60)
        scope = api_key_scope(secret=token)
        if scope is not None:
            rate_limit(scope="shop-key", key=str(scope.key.pk), limit=shop_rate_per_key(),
                       window=60)
        return scope


auth = ShopKeyAuth()
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                          422: ErrorOut, 429: ErrorOut}


class ShopLineIn(Schema):
    product: str = Field(min_length=1, max_length=80)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="Unit price paid")
    quantity: int = Field(1, ge=1, le=1000)


class ShopOrderBase(Schema):
    campaign: str = Field(min_length=1, max_length=80)
    code: str = Field(min_length=1, max_length=64, description="As typed by the customer")
    country: str = Field(pattern=r"^[A-Za-z]{2}$", examples=["NO"])
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    lines: list[ShopLineIn] = Field(min_length=1, max_length=100)
    other_discounts: bool = Field(False, description="True if the order has any other discount")

    @field_validator("country", "currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    def order(self, order_id: str) -> OrderIn:
        return OrderIn(
            order_id=order_id, country=self.country, currency=self.currency,
            lines=[PurchaseLine(line.product, line.price, line.quantity) for line in self.lines],
            other_discounts=self.other_discounts,
        )


class ValidateIn(ShopOrderBase):
    order_id: str | None = Field(None, min_length=1, max_length=100)


class RedeemIn(ShopOrderBase):
    order_id: str = Field(min_length=1, max_length=100)


class ValidOut(Schema):
    valid: bool
    discount: str = Field(examples=["748.50"])
    currency: str


class RedeemOut(Schema):
    redeemed: bool
    discount: str = Field(examples=["748.50"])
    currency: str
    redemption_id: int


class RedemptionIn(Schema):
    redemption_id: int
    reason: str | None = Field(None, max_length=200)


class RedemptionOut(Schema):
    redemption_id: int
    status: str
    code_available: bool


class HealthOut(Schema):
    ok: bool


def _scope(request: HttpRequest) -> ApiKeyScope:
    # Set by ShopKeyAuth, which let the request in.
    return cast(ApiKeyScope, request.auth)  # type: ignore[attr-defined]


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = _scope(request).campaigns.get(slug)
    if campaign is None:
        if Campaign.objects.filter(slug=slug).exists():
            raise PermissionDenied(_("This API key is not allowed for this campaign."),
                                   code="campaign_not_allowed")
        raise NotFound(_("No such campaign."), code="campaign_unknown")
    return campaign


def _redeemed(redemption: Redemption) -> dict[str, Any]:
    return {"redeemed": True, "discount": str(redemption.discount),
            "currency": redemption.currency, "redemption_id": redemption.pk}


def _state(redemption: Redemption) -> dict[str, Any]:
    return {"redemption_id": redemption.pk, "status": redemption.status,
            "code_available": redemption.code.status == "available"}


@router.get("/health", response=HealthOut, summary="Liveness: the web process answers")
def health(request: HttpRequest) -> dict[str, Any]:
    return {"ok": True}


@router.post("/codes/validate", auth=auth, response={200: ValidOut, **ERRORS},
             summary="Check a discount code against an order without using it", exclude_none=True)
def codes_validate(request: HttpRequest, payload: ValidateIn) -> dict[str, Any]:
    campaign = _campaign(request, payload.campaign)
    quote = code_validate(campaign=campaign, text=payload.code,
                          order=payload.order(payload.order_id or ""))
    return {"valid": True, "discount": str(quote.discount), "currency": quote.currency}


@router.post("/codes/redeem", auth=auth, response={200: RedeemOut, **ERRORS},
             summary="Use a discount code for an order (idempotent per order_id)",
             exclude_none=True)
def codes_redeem(request: HttpRequest, payload: RedeemIn) -> dict[str, Any]:
    campaign = _campaign(request, payload.campaign)
    redemption, _created = code_redeem(campaign=campaign, text=payload.code,
                                       order=payload.order(payload.order_id),
                                       api_key=_scope(request).key)
    return _redeemed(redemption)


@router.post("/codes/cancel", auth=auth, response={200: RedemptionOut, **ERRORS},
             summary="The order was cancelled before completion: release the code",
             exclude_none=True)
def codes_cancel(request: HttpRequest, payload: RedemptionIn) -> dict[str, Any]:
    scope = _scope(request)
    redemption = redemption_cancel(redemption_id=payload.redemption_id, api_key=scope.key,
                                   campaign_ids=scope.campaign_ids)
    return _state(redemption)


@router.post("/codes/return", auth=auth, response={200: RedemptionOut, **ERRORS},
             summary="A product was returned: void the benefit (the code stays used)",
             exclude_none=True)
def codes_return(request: HttpRequest, payload: RedemptionIn) -> dict[str, Any]:
    scope = _scope(request)
    redemption = redemption_void(redemption_id=payload.redemption_id, api_key=scope.key,
                                 campaign_ids=scope.campaign_ids,
                                 reason=payload.reason or "")
    return _state(redemption)
