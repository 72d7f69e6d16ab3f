"""The referral programme: a referrer's personal link and the friends who used it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel
from rabatt.codes.models import Code

# At most three friends per referrer over the whole programme (SPEC); the database enforces it.
MAX_FRIENDS = 3


class ReferralOptions(models.Model):
    """A campaign's referral settings; without a row the defaults (or content.referrals) apply."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE,
                                    related_name="referral_options")
    enabled = models.BooleanField(default=True)
    friend_channel = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.DIRECT,
        help_text=_("What a referred friend gets: a discount code or the right to cashback"),
    )
    notice_version = models.CharField(max_length=40, default="1",
                                      help_text=_("Version of the privacy notice friends accept"))
    burst_limit = models.PositiveIntegerField(
        default=5, help_text=_("Friend sign-ups per hour from one network before refusing"))

    class Meta:
        verbose_name_plural = "referral options"

    def __str__(self) -> str:
        return f"{self.campaign.slug} referrals"


class Referral(models.Model):
    """A referrer's personal link; one per code, so asking again returns the same link."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="referrals")
    code = models.OneToOneField(Code, on_delete=models.PROTECT, related_name="referral")
    # Shared publicly by design (it is the link), so it is stored as is.
    token = models.CharField(max_length=43, unique=True)
    # Where the progress link goes; the canonical form finds self-referrals.
    email = models.EmailField(max_length=254, blank=True)
    email_canonical = models.CharField(max_length=254, blank=True, db_index=True)
    device_id = models.CharField(max_length=64, blank=True)
    ip_prefix = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.campaign.slug} {self.token[:8]}…"


class Friend(models.Model):
    """A friend who signed up through a referral link and got their own code."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="friends")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    slot = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    email_canonical = models.CharField(max_length=254)
    locale = models.CharField(max_length=8, default="en")
    code = models.OneToOneField(Code, on_delete=models.PROTECT, related_name="referred_friend")
    consent_version = models.CharField(max_length=40, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    ip_prefix = models.CharField(max_length=64, blank=True)
    # Abuse signals for agents: {name: value}; see docs/referrals.md.
    signals = models.JSONField(default=dict, blank=True)
    code_emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Slots 1..3 per link: a fourth friend cannot be stored, whatever the race.
            models.UniqueConstraint(fields=["referral", "slot"], name="uniq_friend_slot"),
            models.CheckConstraint(condition=models.Q(slot__gte=1, slot__lte=MAX_FRIENDS),
                                   name="friend_slot_1_to_3"),
            # A person is referred once per campaign, by anyone.
            models.UniqueConstraint(fields=["campaign", "email_canonical"],
                                    name="uniq_friend_email_per_campaign"),
        ]
        indexes = [models.Index(fields=["ip_prefix", "created_at"])]

    def __str__(self) -> str:
        return f"{self.referral_id}/{self.slot}"


class ReferralEvent(models.Model):
    """Every change in the programme: link created, friend signed up, e-mails sent."""

    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    friend = models.ForeignKey(Friend, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="events")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind
