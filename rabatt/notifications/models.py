"""The e-mail outbox: one row per reason to send, and the addresses we must never write to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    SUPPRESSED = "suppressed", _("Not sent (unsubscribed or bounced)")


class OutboundEmail(models.Model):
    """An e-mail to send, written in the same transaction as the change that causes it."""

    Status = EmailStatus

    kind = models.CharField(max_length=40)
    # One e-mail per reason, guaranteed by the database (e.g. "claim-event:123").
    dedup_key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(max_length=254)
    # Renders ``<template>.subject.txt``, ``<template>.txt`` and, if present, ``<template>.html``.
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    locale = models.CharField(max_length=8, default="en")
    # Marketing is checked against the suppression list and carries List-Unsubscribe headers.
    marketing = models.BooleanField(default=False)
    unsubscribe_path = models.CharField(max_length=300, blank=True)
    # A hook topic (rabatt.core.hooks) told the outcome, with ``hook_args``.
    on_result = models.CharField(max_length=60, blank=True)
    hook_args = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=EmailStatus.choices,
                              default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not before this instant (first send and retries with backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # While ``sending``: the sender's claim on the row; after it a crashed sender's row is free.
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"


class Suppression(models.Model):
    """An address that must not get marketing e-mail again: it bounced or unsubscribed."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email_normalised = models.CharField(max_length=254, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email_normalised} {self.reason}"
