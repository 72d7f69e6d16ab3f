"""Background work on receipts: read each file after upload, then check the claim."""

from __future__ import annotations

from django.tasks import task

from rabatt.receipts.checking import (
    claim_receipts_check,
    draft_file_read,
    receipt_read_and_check,
)
from rabatt.receipts.models import ReceiptFile


# Reading can take seconds per file: its own queue, so nothing quick waits behind it.
@task(queue_name="receipts")
def read_receipt_file(receipt_id: str) -> str:
    """Read one stored file and fold the result into its claim (safe to run again)."""
    receipt = receipt_read_and_check(receipt_id=receipt_id)
    claim_id = (receipt.claim_id if receipt is not None else
                ReceiptFile.objects.filter(pk=receipt_id).values_list("claim_id", flat=True)
                .first())
    if claim_id is None:
        return "no claim"
    return "checked" if claim_receipts_check(claim_id=claim_id) is not None else "read"


@task()
def read_draft_file(receipt_id: str) -> str:
    """Read one file of a claim draft for the wizard's help (safe to run again)."""
    receipt = draft_file_read(receipt_id=receipt_id)
    return "no draft file" if receipt is None else str(receipt.draft_reading.get("status"))
