"""Unique codes: the right to claim cashback (retailer) or a discount (direct)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel
from rabatt.codes.alphabet import display


class CodeStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    USED = "used", _("Used")
    VOID = "void", _("Void")


class CodeBatch(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="code_batches")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    count = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.campaign.slug} {self.channel} x{self.count}"


class Code(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="codes")
    batch = models.ForeignKey(CodeBatch, on_delete=models.PROTECT, related_name="codes",
                              null=True, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Canonical form (no dashes); globally unique so a code can never name two campaigns.
    code = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=16, choices=CodeStatus.choices,
                              default=CodeStatus.AVAILABLE)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return display(self.code)


class ApiKey(models.Model):
    """A shop integration's key: only its hash is stored; scoped to campaigns; revocable."""

    name = models.CharField(max_length=80, unique=True)
    # The first characters of the key, shown to people so they can tell keys apart.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    campaigns: models.ManyToManyField[Campaign, Any] = models.ManyToManyField(
        Campaign, related_name="api_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RedemptionStatus(models.TextChoices):
    REDEEMED = "redeemed", _("Redeemed")
    CANCELLED = "cancelled", _("Cancelled (order not completed; code released)")
    VOIDED = "voided", _("Voided (product returned)")


class Redemption(models.Model):
    """A discount code used for one web-shop order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="redemptions")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="redemptions")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="redemptions")
    order_id = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.REDEEMED)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    discount = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.JSONField(default=list)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "status"])]
        constraints = [
            # A code has at most one live redemption, whatever the application does.
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(status="redeemed"),
                name="uniq_live_redemption_per_code",
            ),
            # One live discount per order (discount codes cannot be combined).
            models.UniqueConstraint(
                fields=["campaign", "order_id"], condition=models.Q(status="redeemed"),
                name="uniq_live_redemption_per_order",
            ),
            models.CheckConstraint(condition=models.Q(discount__gte=0),
                                   name="redemption_discount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"


class CodeEvent(models.Model):
    """Every state change of a code, a redemption or a recipient: who, what, when."""

    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    code = models.ForeignKey(Code, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="events")
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="events")
    recipient = models.ForeignKey("Recipient", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="events")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    SUPPRESSED = "suppressed", _("Not sent (bounced or unsubscribed)")


class Recipient(models.Model):
    """One person on a campaign's distribution list and the code e-mailed to them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="recipients")
    email = models.EmailField(max_length=254)
    # Lower-cased and trimmed: the same address twice in a list is one recipient.
    email_normalised = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    locale = models.CharField(max_length=8, default="en")
    code = models.OneToOneField(Code, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="recipient")
    status = models.CharField(max_length=16, choices=RecipientStatus.choices,
                              default=RecipientStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email_normalised"],
                                    name="uniq_recipient_per_campaign"),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.email
