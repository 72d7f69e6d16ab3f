"""The review desk: who holds a claim, agents' notes, four-eyes approvals, access audit, bulk."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """One agent holds a claim while reviewing it; the hold lapses after a quiet while."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.CASCADE,
                                 related_name="assignment")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    taken_at = models.DateTimeField()
    touched_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["agent", "touched_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} → {self.agent_id}"


class Note(models.Model):
    """A note between agents about a claim; never shown to the consumer."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.claim_id}"


class ApprovalRequest(models.Model):
    """A first approval waiting for a second, different approver (four-eyes)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approver")
        COMPLETED = "completed", _("Approved by a second approver")
        CANCELLED = "cancelled", _("Cancelled")

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE,
                              related_name="approval_requests")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # None when the system asks: a straight-through approval picked as a supervisor's sample.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField()
    why = models.JSONField(default=list)  # ["amount", "risk"] or ["sample"]
    message = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim"], condition=models.Q(status="pending"),
                                    name="one_pending_approval_per_claim"),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.status}"


class AccessLog(models.Model):
    """Who looked at whose personal or bank data, and when. Write only via access_log()."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=60)
    via = models.CharField(max_length=10, default="desk")  # desk, api
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["claim", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.what} {self.claim_id}"


class BulkJob(models.Model):
    """One decision applied to many claims; results per claim make it safe to retry."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    action = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    claim_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"bulk {self.action} {len(self.claim_ids)}"


class BulkResult(models.Model):
    """What happened to one claim of a bulk job; written with the decision, so never twice."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="results")
    claim_id = models.BigIntegerField()
    reference = models.CharField(max_length=20, blank=True)
    ok = models.BooleanField()
    outcome = models.CharField(max_length=40)  # the claim's new status, or the error code
    message = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "claim_id"],
                                               name="one_result_per_claim_and_job")]

    def __str__(self) -> str:
        return f"{self.job_id} {self.claim_id} {self.outcome}"


class AutomaticOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved automatically")
    SAMPLED = "sampled", _("Picked for a supervisor's check")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for automatic approval")
    OFF = "off", _("Automatic approval is off")


class AutomaticDecision(models.Model):
    """What straight-through processing decided for a claim (``review.automation`` alone)."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.CASCADE,
                                 related_name="automatic_decision")
    outcome = models.CharField(max_length=12, choices=AutomaticOutcome.choices)
    # Why a person must decide: codes of review.presenters.AUTOMATIC_REASONS.
    reasons = models.JSONField(default=list, blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.claim_id} {self.outcome}"
