"""Campaigns: the data the rules engine reads (countries, caps, products, retailers, rules)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rabatt.core.models import TimeStampedModel


class Channel(models.TextChoices):
    RETAILER = "retailer", _("Authorised retailer (cashback)")
    DIRECT = "direct", _("Brand shop (discount code)")


class ProductFlag(models.TextChoices):
    GIFT_CARD = "gift_card", _("Gift card")
    REFURBISHED = "refurbished", _("Refurbished")
    LIMITED_EDITION = "limited_edition", _("Limited or special edition")
    BUNDLE = "bundle", _("Set or bundle")
    PREORDER = "preorder", _("Pre-order")


def translated(texts: dict[str, str] | None, fallback: str = "") -> str:
    """Pick the active language from a {language: text} dict, falling back to English."""
    if not texts:
        return fallback
    lang = (translation.get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), fallback)


class CampaignState(models.TextChoices):
    RUNNING = "running", _("Running")
    # Paused: no new claims are accepted; what was submitted goes on through review and payment.
    PAUSED = "paused", _("Paused")


class Brand(TimeStampedModel):
    """A brand whose campaigns an operator runs; staff are granted the brands they serve."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Campaign(TimeStampedModel):
    slug = models.SlugField(max_length=80, unique=True)
    # Null: the operator's own campaign, seen only by staff who serve every brand.
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="campaigns")
    name = models.JSONField(default=dict, help_text=_("Name per language, e.g. {en: ..., nb: ...}"))
    default_locale = models.CharField(max_length=8, default="en")
    benefit_rate = models.DecimalField(
        max_digits=7, decimal_places=4, help_text=_("Percent of the price paid, e.g. 15")
    )
    purchase_starts_at = models.DateTimeField(help_text=_("First instant a purchase counts"))
    purchase_ends_before = models.DateTimeField(
        help_text=_("First instant a purchase no longer counts")
    )
    claims_end_before = models.DateTimeField(help_text=_("First instant a claim is too late"))
    cap_tolerance = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(2))
    reference_rates = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=dict, blank=True)
    # Review policy: four-eyes limits per currency, straight-through processing (see the file).
    review = models.JSONField(default=dict, blank=True)
    # Bumped on every change so cached rule snapshots know they are stale.
    revision = models.PositiveIntegerField(default=1)
    # Not part of the campaign file: pausing is a state change, not an edit of the terms.
    state = models.CharField(max_length=10, choices=CampaignState.choices,
                             default=CampaignState.RUNNING)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return translated(self.name, self.slug)

    @property
    def purchase_last_moment(self) -> datetime:
        """The last instant a purchase counts, for showing people an inclusive end."""
        return self.purchase_ends_before - timedelta(microseconds=1)

    @property
    def claims_last_moment(self) -> datetime:
        return self.claims_end_before - timedelta(microseconds=1)


class CampaignEvent(models.Model):
    """One change of a campaign's state (pause, resume) and who made it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    state_from = models.CharField(max_length=10, choices=CampaignState.choices)
    state_to = models.CharField(max_length=10, choices=CampaignState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.action}"


class CampaignCountry(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "country"], name="uniq_campaign_country")
        ]
        verbose_name_plural = "campaign countries"

    def __str__(self) -> str:
        return f"{self.country} ({self.currency})"


class CampaignChannel(models.Model):
    """One sales channel of a campaign: which products qualify through it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    all_products = models.BooleanField(
        default=False, help_text=_("Every product qualifies except those with an excluded flag")
    )
    excluded_flags = models.JSONField(default=list, blank=True)
    products: models.ManyToManyField[Product, Any] = models.ManyToManyField(
        "Product", blank=True, related_name="channels"
    )

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "channel"], name="uniq_campaign_channel")
        ]

    def __str__(self) -> str:
        return f"{self.campaign.slug}/{self.channel}"


class Cap(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="caps")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["channel", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "currency"], name="uniq_campaign_cap"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cap_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.amount} {self.currency}"


class Product(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="products")
    code = models.SlugField(max_length=80, help_text=_("Stable id used in files and APIs"))
    name = models.JSONField(default=dict)
    aliases = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="uniq_campaign_product")
        ]

    def __str__(self) -> str:
        return translated(self.name, self.code)


class Retailer(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="retailers")
    code = models.SlugField(max_length=80)
    country = models.CharField(max_length=2)
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    website = models.URLField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="uniq_campaign_retailer")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class CampaignRule(models.Model):
    """One eligibility rule of a campaign: a kind from ``rules.RULE_KINDS`` and its parameters."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="uniq_campaign_rule_kind")
        ]

    def __str__(self) -> str:
        return self.kind
