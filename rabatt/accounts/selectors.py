"""Reads about staff: which brands (and so which campaigns) a person may see."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from rabatt.accounts.models import StaffProfile
from rabatt.accounts.roles import role_of
from rabatt.campaigns.models import Brand, Campaign

M = TypeVar("M", bound=Model)

_CACHE = "_rabatt_brand_ids"


def brand_ids_visible_to(user: Any) -> frozenset[int] | None:
    """The ids of the brands ``user`` serves; None for the operator's staff, who see all."""
    if role_of(user) is None:
        return frozenset()
    if hasattr(user, _CACHE):  # asked several times per request: one query
        cached: frozenset[int] | None = getattr(user, _CACHE)
        return cached
    ids = frozenset(user.staff_profile.brands.values_list("id", flat=True))
    result = ids or None  # no brand granted: the operator's staff
    setattr(user, _CACHE, result)
    return result


def sees_all_brands(user: Any) -> bool:
    """True for active staff of the operator (granted no brand), who see every brand."""
    return role_of(user) is not None and brand_ids_visible_to(user) is None


def brands_visible_to(user: Any) -> QuerySet[Brand]:
    """The brands ``user`` may see."""
    ids = brand_ids_visible_to(user)
    return Brand.objects.all() if ids is None else Brand.objects.filter(id__in=ids)


def scope_by_brand[M: Model](queryset: QuerySet[M], user: Any, *,
                   brand_path: str = "campaign__brand") -> QuerySet[M]:
    """Keep the rows of ``queryset`` whose brand (reached by ``brand_path``) ``user`` serves."""
    ids = brand_ids_visible_to(user)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    return queryset.filter(Q(**{f"{brand_path}__in": ids}))


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see."""
    return scope_by_brand(Campaign.objects.all(), user, brand_path="brand")


def campaign_visible_to(user: Any, campaign: Campaign) -> bool:
    """True if ``user`` may see ``campaign``."""
    ids = brand_ids_visible_to(user)
    if ids is None:
        return True
    return campaign.brand_id is not None and campaign.brand_id in ids


def staff_visible_to(user: Any) -> QuerySet[StaffProfile]:
    """The staff a person may see on the people page: all, or those sharing one of their
    brands (staff of the operator, granted no brand, are shown only to the operator's)."""
    ids = brand_ids_visible_to(user)
    profiles = (StaffProfile.objects.select_related("user").prefetch_related("brands")
                .order_by("user__username"))
    if ids is None:
        return profiles
    return profiles.filter(brands__in=ids).distinct()
