"""Payouts: paying accounts, batches of payments, bank files, imports of the bank's answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign
from rabatt.claims.models import Claim


class PayerAccount(models.Model):
    """An account we pay cashback from (the debtor of the bank file)."""

    name = models.CharField(_("name"), max_length=70, unique=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    country = models.CharField(_("country"), max_length=2)
    # The currencies this account pays out, e.g. ["EUR"] or ["NOK", "SEK"].
    currencies = models.JSONField(_("currencies"), default=list)
    # Some banks want a customer or agreement id in the file's initiating party.
    initiating_party_id = models.CharField(_("initiating party id"), max_length=35, blank=True)
    # pain.001.001.09 unless the bank still needs 03.
    file_version = models.CharField(_("bank file version"), max_length=20,
                                    default="pain.001.001.09")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    BUILT = "built", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    EXPORTED = "exported", _("Bank file produced")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentBatch(models.Model):
    """Payments in one currency from one paying account, approved by a second person."""

    message_id = models.CharField(max_length=35, unique=True, null=True, blank=True)
    currency = models.CharField(max_length=3)
    payer = models.ForeignKey(PayerAccount, on_delete=models.PROTECT, related_name="batches")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    status = models.CharField(max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.BUILT)
    count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    built_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # This batch's data key (wrapped by a master key) seals the batch's file key, which
    # encrypts the creditor snapshots and the bank file.
    wrapped_key = models.BinaryField()
    sealed_file_key = models.BinaryField()
    file_version = models.CharField(max_length=20, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    execution_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at", "-id"]
        indexes = [models.Index(fields=["status", "currency"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("built_by")),
                name="payout_batch_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return self.message_id or f"batch {self.pk}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("In a batch")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A claim may be in at most one payment in these states (the database guarantees it). The
# constraint needs them when the class is built; ``transitions.LIVE_STATES`` derives the same set
# from the payment table, and the code uses that one (a test keeps the two equal).
LIVE_STATES = (PaymentStatus.PENDING, PaymentStatus.SENT, PaymentStatus.PAID)


class Payment(models.Model):
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payments")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    # Comes back in the bank's reports; "<claim reference>-<batch id>".
    end_to_end_id = models.CharField(max_length=35, unique=True)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    # Creditor name and account as approved, sealed with the batch's file key; emptied once
    # the bank file is written (the file is then the only copy).
    creditor_sealed = models.BinaryField(default=b"")
    masked = models.CharField(max_length=60)
    fingerprint = models.CharField(max_length=64)
    payment_due_at = models.DateTimeField(null=True, blank=True)
    bank_status = models.CharField(max_length=10, blank=True)
    reason_code = models.CharField(max_length=10, blank=True)
    reason_text = models.CharField(max_length=200, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["batch", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=models.Q(status__in=LIVE_STATES),
                name="payout_one_live_payment_per_claim",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="payout_payment_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id


class PayoutEvent(models.Model):
    """Who did what to a batch (built, approved, exported, cancelled, imported)."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=30)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.batch_id}"


class ImportLog(models.Model):
    """One imported bank file (pain.002, camt.053, camt.054) and what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    sha256 = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10)
    version = models.CharField(max_length=20)
    message_id = models.CharField(max_length=35)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # Statement entries naming none of our payments, and outcomes we could not apply.
    unmatched = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "message_id"],
                                    name="payout_import_once_per_message"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class DueAlert(models.Model):
    """An approved claim finance was warned about, once per due date."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "due_at"], name="payout_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.due_at:%Y-%m-%d}"
