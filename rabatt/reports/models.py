"""Day rollups of claims for the dashboards, kept exact as claims change."""

from __future__ import annotations

from django.db import models


class ClaimDay(models.Model):
    """Claims submitted on one day (UTC), by campaign, country, currency and current status."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    claims = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # A decision (approval or refusal) was taken, how long after submission, and within 7 days.
    decided = models.IntegerField(default=0)
    decided_7d = models.IntegerField(default=0)
    decision_seconds = models.BigIntegerField(default=0)
    automatic = models.IntegerField(default=0)
    paid = models.IntegerField(default=0)
    paid_30d = models.IntegerField(default=0)
    paid_seconds = models.BigIntegerField(default=0)
    checked = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    low_match = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "country", "currency", "status"], name="claimday_key")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day} {self.status}"


class ClaimFact(models.Model):
    """What one claim adds to its ClaimDay row, kept to subtract it exactly when it changes."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    day_row = models.ForeignKey(ClaimDay, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.claim_id}"


class ReasonDay(models.Model):
    """Reasons given for refusals and information requests on one day (UTC)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=20)
    reason = models.CharField(max_length=200)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "country", "kind", "reason"], name="reasonday_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.reason}"


class WeeklySummaryOptIn(models.Model):
    """A staff member who asked for the weekly summary e-mail."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    opted_in_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id}"
