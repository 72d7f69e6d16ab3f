"""Every e-mail we send, one row per reason to send it, so nothing is sent twice."""

from __future__ import annotations

from django.db import models


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    # One e-mail per claim event, guaranteed by the database.
    event = models.OneToOneField("claims.ClaimEvent", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="email")
    kind = models.CharField(max_length=40)
    to = models.EmailField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"
