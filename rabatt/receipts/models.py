"""Proof-of-purchase files, sealed on disk with their owner's data key."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.privacy.models import Subject


class ReadingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    READING = "reading", _("Being read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Could not be read")
    UNSUPPORTED = "unsupported", _("Not a readable document")


class ReceiptFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="files")
    draft = models.ForeignKey("claims.ClaimDraft", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="files")
    # Whose data key seals the file: the claimant's, or the draft's own before submission.
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    content_type = models.CharField(max_length=40)
    page_count = models.PositiveSmallIntegerField(default=1)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    display_name = models.CharField(max_length=120)
    added_during = models.CharField(max_length=20, default="submission")
    created_at = models.DateTimeField(auto_now_add=True)

    # Measured synchronously at upload, so the wizard can warn before the claim is sent.
    readability = models.JSONField(default=dict, blank=True)
    # What the background reading found (``Extraction.as_dict()`` plus page sizes).
    reading_status = models.CharField(max_length=12, choices=ReadingStatus.choices,
                                      default=ReadingStatus.PENDING)
    extraction = models.JSONField(default=dict, blank=True)
    # This file checked against its claim: per field status, what was read and where.
    verification = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    reading_seconds = models.FloatField(null=True, blank=True)
    reading_error = models.CharField(max_length=200, blank=True)
    # Perceptual hash (signed 64-bit) and its four 16-bit bands: two hashes within Hamming
    # distance 3 share a band, so near duplicates are found through the band indexes.
    phash = models.BigIntegerField(null=True, blank=True)
    phash_band0 = models.IntegerField(null=True, blank=True, db_index=True)
    phash_band1 = models.IntegerField(null=True, blank=True, db_index=True)
    phash_band2 = models.IntegerField(null=True, blank=True, db_index=True)
    phash_band3 = models.IntegerField(null=True, blank=True, db_index=True)
    # SHA-256 of retailer, date, total and receipt number as read: the same purchase again.
    text_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # A draft's file read in the background while the consumer is still in the wizard:
    # ``status``, the ``settings`` it was read with, every reading (``documents``, words and
    # boxes) and what was ``found``. Copied to the claim's file at submission, whose reading
    # reuses the documents when the settings are the same (receipts.checking).
    draft_reading = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["reading_status", "created_at"],
                                name="receipt_reading_status")]

    def __str__(self) -> str:
        return self.display_name


class CheckStatus(models.TextChoices):
    READING = "reading", _("Receipts being read")
    DONE = "done", _("Receipts checked")
    FAILED = "failed", _("Receipts could not be read")


class ReceiptCheck(models.Model):
    """A claim checked against its proofs of purchase; written by ``receipts.checking`` alone.

    ``fields`` and ``duplicates`` follow the schemas in ``receipts/schemas.py``
    (:class:`~rabatt.receipts.schemas.FieldResult`, :class:`~rabatt.receipts.schemas.Duplicate`).
    """

    claim = models.OneToOneField("claims.Claim", on_delete=models.CASCADE,
                                 related_name="receipt_check")
    status = models.CharField(max_length=10, choices=CheckStatus.choices,
                              default=CheckStatus.READING)
    files = models.PositiveSmallIntegerField(default=0)
    read = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Per field (retailer, date, total, currency): the strongest result over the claim's files.
    fields = models.JSONField(default=dict, blank=True)
    # Other claims holding the same receipt, the same picture or the same purchase.
    duplicates = models.JSONField(default=list, blank=True)
    # How many duplicates, as a column: the desk's risk filter and sort read it through an index.
    duplicate_count = models.PositiveSmallIntegerField(default=0, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.claim_id} {self.status}"
