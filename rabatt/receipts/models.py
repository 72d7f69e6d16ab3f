"""Proof-of-purchase files, sealed on disk with their owner's data key."""

from __future__ import annotations

import uuid

from django.db import models

from rabatt.privacy.models import Subject


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

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.display_name
