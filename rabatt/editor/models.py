"""Changes to campaigns made in the editor: the history, and those waiting for a second manager."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PENDING = "pending", _("Waiting for a second manager")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by another change")


class CampaignChange(models.Model):
    """One change to a campaign: its file before and after, who asked and who approved."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(max_length=10)  # edit, extend, end, clone
    status = models.CharField(max_length=12, choices=ChangeStatus.choices)
    before = models.TextField(blank=True)
    after = models.TextField()
    # What in the file affects money (rate, caps, windows), by its path in the file.
    money = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # At most one change waits for approval per campaign: a second would be decided
            # against a file that the first may already have changed.
            models.UniqueConstraint(fields=["campaign"], condition=models.Q(status="pending"),
                                    name="one_pending_change_per_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind} {self.status}"
