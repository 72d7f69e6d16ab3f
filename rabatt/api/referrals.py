"""The referral programme's API: personal links, friends' sign-ups, progress links.

See docs/referrals.md.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from rabatt.api.campaigns import ErrorOut
from rabatt.campaigns.selectors import campaign_get
from rabatt.core.i18n import LanguageCode, active_language, language_code_clean
from rabatt.core.ratelimit import client_ip, rate_limit
from rabatt.referrals.conf import DEVICE_COOKIE, signup_rate_per_ip
from rabatt.referrals.models import Referral
from rabatt.referrals.services import (
    FriendIn,
    friend_signup,
    referral_link,
    referral_progress_link_request,
)

router = Router(tags=["referrals"])
ERRORS: dict[int, Any] = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ReferralIn(Schema):
    campaign: str = Field(min_length=1, max_length=80)
    code: str = Field(min_length=1, max_length=64, description="The referrer's own code")
    email: str | None = Field(
        None, max_length=254,
        description="The referrer's e-mail, when the code is not tied to one (see the docs)",
    )


class ReferralOut(Schema):
    token: str
    url: str


class FriendSchema(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    locale: LanguageCode | None = Field(None, description="Default: the Accept-Language")
    consent: bool = Field(False, description="The friend accepted the privacy notice")
    website: str | None = Field(None, max_length=200,
                                description="Honeypot: leave empty (forms hide it from people)")

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, value: Any) -> Any:
        return language_code_clean(value)


class FriendOut(Schema):
    slot: int
    code_sent: bool


class ProgressLinkIn(Schema):
    locale: LanguageCode | None = Field(None, description="Default: the Accept-Language")

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, value: Any) -> Any:
        return language_code_clean(value)


class SentOut(Schema):
    sent: bool


def link_url(referral: Referral) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{reverse('referrals:link', args=[referral.token])}"


def device_id(request: HttpRequest) -> str:
    return request.COOKIES.get(DEVICE_COOKIE, "")[:64]


@router.post("/referrals", response={200: ReferralOut, 201: ReferralOut, **ERRORS},
             summary="Get the personal referral link of a code's holder (201 new, 200 again)",
             exclude_none=True)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    rate_limit(scope="referral-link-ip", key=client_ip(request), limit=signup_rate_per_ip(),
               window=3600)
    campaign = campaign_get(slug=payload.campaign)
    referral, created = referral_link(campaign=campaign, code_text=payload.code,
                                      email=payload.email, device_id=device_id(request),
                                      ip=client_ip(request))
    return Status(201 if created else 200, {"token": referral.token, "url": link_url(referral)})


@router.post("/referrals/{token}/friends", response={201: FriendOut, **ERRORS},
             summary="A friend signs up through a link and gets their own code by e-mail")
def referral_friend_create(request: HttpRequest, token: str,
                           payload: FriendSchema) -> Status[Any]:
    rate_limit(scope="referral-friend-ip", key=client_ip(request), limit=signup_rate_per_ip(),
               window=3600)
    friend = friend_signup(token=token, data=FriendIn(
        name=payload.name, email=payload.email, locale=payload.locale or active_language(),
        consent=payload.consent,
        honeypot=payload.website or "", device_id=device_id(request), ip=client_ip(request),
    ))
    return Status(201, {"slot": friend.slot, "code_sent": True})


@router.post("/referrals/{token}/progress-link", response={202: SentOut, **ERRORS},
             summary="E-mail the link's owner a signed link to their friends' progress")
def referral_progress_link(request: HttpRequest, token: str,
                           payload: ProgressLinkIn | None = None) -> Status[Any]:
    rate_limit(scope="referral-progress", key=token, limit=3, window=3600)
    locale = (payload.locale if payload else None) or active_language()
    referral_progress_link_request(token=token, locale=locale)
    return Status(202, {"sent": True})
