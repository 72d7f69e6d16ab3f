"""Template filters for money, times and bank numbers shown to people (``{% load formats %}``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template

from rabatt.core import formats, localformats

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str) -> str:
    """``{{ claim.amount|money:claim.currency }}`` → ``748,50 kr`` in the active language."""
    return formats.money(amount, currency) if currency else ""


@register.filter
def phone(value: str, country: str) -> str:
    """``{{ claim.phone|phone:claim.address_country }}`` → ``912 34 567`` (national format)."""
    return localformats.phone_display(value or "", country or "")


@register.filter
def iban(value: str) -> str:
    """``{{ iban|iban }}`` → groups of four."""
    return formats.iban_grouped(value or "")


@register.simple_tag
def local_time(value: datetime | None, zone: Any = None, country: str = "") -> str:
    """``{% local_time claim.submitted_at country=claim.purchase_country %}`` → the time in that
    country's zone (or ``zone``, a tzinfo or IANA name), naming the zone."""
    if isinstance(zone, str) or zone is None:
        zone = formats.country_zone(country) if country and not zone else formats.zone_named(zone)
    return formats.local_datetime(value, zone)


@register.simple_tag
def local_date(value: Any, country: str = "") -> str:
    """``{% local_date campaign.purchase_starts_at country="NO" %}`` → ``25. juli 2019``."""
    return formats.local_date(value, formats.country_zone(country) if country else None)
