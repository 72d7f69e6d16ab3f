"""The data subject and everything privacy keeps: requests, consents, holds, retention, audit."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.Model):
    """A person whose data we hold, identified by a keyed hash of their e-mail address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # HMAC of the normalised e-mail: finds the person without storing the address twice.
    email_digest = models.CharField(max_length=64, db_index=True)
    # The person's data key, wrapped by a master key; emptied on erasure (crypto-shredding).
    wrapped_key = models.BinaryField(null=True)
    restricted_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # Objection (GDPR Art. 21) to processing based on legitimate interest.
    objected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy of my data")
    RECTIFICATION = "rectification", _("Correct my contact or bank details")
    ERASURE = "erasure", _("Erase my data")
    RESTRICTION = "restriction", _("Restrict the processing of my data")
    OBJECTION = "objection", _("Object to processing and withdraw consents")


class RequestStatus(models.TextChoices):
    # The confirmation link was sent; nothing happens until the person follows it.
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    QUEUED = "queued", _("Waiting for the privacy officer")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class PrivacyRequest(models.Model):
    """A rights request proven by a link sent to the person's e-mail address."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    status = models.CharField(max_length=24, choices=RequestStatus.choices,
                              default=RequestStatus.AWAITING_CONFIRMATION)
    token_hash = models.CharField(max_length=64, unique=True)
    locale = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The legal deadline (one month from the request) for an answer.
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing e-mails")
    PARTNER_ADVERTISING = "partner_advertising", _("Advertising with partners (hashed e-mail)")


class Consent(models.Model):
    """One row per consent given or withdrawn (append-only ledger; the latest row counts)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=40, choices=ConsentPurpose.choices)
    given = models.BooleanField()
    # The version of the notice text the person saw when they chose.
    notice_version = models.CharField(max_length=40)
    # Where the choice was made: "claim_form", "unsubscribe_link", "privacy_request", ...
    source = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject", "purpose", "at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {'given' if self.given else 'withdrawn'}"


class LegalHold(models.Model):
    """Suspends retention and erasure-by-deletion for a claim (disputes, audits, police)."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"hold {self.claim_id}"


class RetentionRun(models.Model):
    """The report of one retention run: per rule, how many rows were deleted or pseudonymised."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    report = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"retention {self.started_at:%Y-%m-%d}"


class AuditEntry(models.Model):
    """Append-only access log; each row carries the hash of the one before (a hash chain)."""

    at = models.DateTimeField()
    # Identifiers only: no names, no e-mail addresses.
    actor_type = models.CharField(max_length=10)  # staff, consumer, system
    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60)
    subject_id = models.UUIDField(null=True, blank=True, db_index=True)
    claim_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    what = models.CharField(max_length=200, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.action}"


class AuditHead(models.Model):
    """The single row locked while appending; holds the last hash and the count."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head {self.count}"
