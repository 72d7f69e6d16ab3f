"""Retention: each rule of the data map, applied daily; legal holds suspend it per claim."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import models, transaction

from rabatt.claims.models import BankDetails, Claim, ClaimDraft, ClaimEvent, ClaimStatus
from rabatt.core.models import IdempotencyRecord
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import OutboundEmail
from rabatt.payouts.models import Payment
from rabatt.privacy.audit import audit_record
from rabatt.privacy.classification import RETENTION
from rabatt.privacy.models import (
    AuditEntry,
    Consent,
    LegalHold,
    PrivacyRequest,
    RequestStatus,
    RetentionRun,
)
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_files_discard

Report = dict[str, int]


class _Ctx:
    def __init__(self, now: datetime) -> None:
        self.now = now
        # Ids of the receipts whose sealed files go from disk once the run has committed.
        self.files: list[Any] = []

    def cutoff(self, rule: str) -> datetime:
        days = RETENTION[rule].days
        assert days is not None
        return self.now - timedelta(days=days)

    def held(self) -> set[int]:
        return set(LegalHold.objects.filter(released_at__isnull=True)
                   .values_list("claim_id", flat=True))

    def drop_receipts(self, qs: models.QuerySet[Any]) -> int:
        self.files += list(qs.values_list("pk", flat=True))
        return int(qs.delete()[1].get("receipts.ReceiptFile", 0))

    def drop_claims(self, qs: models.QuerySet[Any]) -> int:
        ids = list(qs.values_list("pk", flat=True))
        self.drop_receipts(ReceiptFile.objects.filter(
            models.Q(claim_id__in=ids) | models.Q(draft__claim_id__in=ids)))
        ClaimDraft.objects.filter(claim_id__in=ids).delete()
        # Their payment rows go with them (they protect the claim from deletion).
        Payment.objects.filter(claim_id__in=ids).delete()
        # A released hold has done its work; it must not keep the claim forever.
        LegalHold.objects.filter(claim_id__in=ids, released_at__isnull=False).delete()
        deleted = 0
        for claim in qs.model.objects.filter(pk__in=ids):
            try:
                with transaction.atomic():
                    claim.delete()
                deleted += 1
            except models.ProtectedError:
                pass  # still referenced (e.g. by an access log): kept until that goes
        return deleted


def _draft(ctx: _Ctx) -> Report:
    drafts = ClaimDraft.objects.filter(updated_at__lt=ctx.cutoff("draft")).exclude(
        claim_id__in=ctx.held())
    files = ctx.drop_receipts(ReceiptFile.objects.filter(draft__in=drafts, claim__isnull=True))
    return {"deleted": int(drafts.delete()[1].get("claims.ClaimDraft", 0)), "files": files}


def _paid_at() -> models.QuerySet[Any]:
    return ClaimEvent.objects.filter(kind="mark_paid")


# Claims closed without payment: the dispute period runs from the decision.
CLOSED = (ClaimStatus.REJECTED, ClaimStatus.LAPSED, ClaimStatus.WITHDRAWN, ClaimStatus.VOIDED)


def _claim_closed(ctx: _Ctx) -> Report:
    paid = _paid_at().values("claim_id")
    qs = (Claim.objects.filter(status__in=CLOSED, updated_at__lt=ctx.cutoff("claim_closed"))
          .exclude(pk__in=paid).exclude(pk__in=ctx.held()))
    held = Claim.objects.filter(status__in=CLOSED, updated_at__lt=ctx.cutoff("claim_closed"),
                                pk__in=ctx.held()).count()
    return {"deleted": ctx.drop_claims(qs), "held": held}


def _receipt_paid(ctx: _Ctx) -> Report:
    ids = set(_paid_at().filter(at__lt=ctx.cutoff("receipt_paid"))
              .values_list("claim_id", flat=True)) - ctx.held()
    files = ctx.drop_receipts(ReceiptFile.objects.filter(claim_id__in=ids))
    bank = BankDetails.objects.filter(claim_id__in=ids).delete()[1].get("claims.BankDetails", 0)
    # The payment rows stay (bookkeeping); the bank details copied into them go, as declared
    # in payouts/datamap.py (masked account, fingerprint, sealed creditor snapshot).
    cleared = Payment.objects.filter(claim_id__in=ids).exclude(masked="", fingerprint="") \
        .update(masked="", fingerprint="", creditor_sealed=b"")
    return {"deleted": files + int(bank), "files": files, "pseudonymised": cleared}


def _transaction(ctx: _Ctx) -> Report:
    # Ten years after the end of the accounting year in which the claim was paid.
    limit = ctx.cutoff("transaction")
    year_end = datetime(limit.year, 1, 1, tzinfo=UTC)
    ids = set(_paid_at().filter(at__lt=year_end).values_list("claim_id", flat=True))
    ids -= ctx.held()
    return {"deleted": ctx.drop_claims(Claim.objects.filter(pk__in=ids))}


def _email_log(ctx: _Ctx) -> Report:
    qs = OutboundEmail.objects.filter(created_at__lt=ctx.cutoff("email_log"))
    return {"deleted": int(qs.delete()[1].get("notifications.OutboundEmail", 0))}


def _idempotency(ctx: _Ctx) -> Report:
    qs = IdempotencyRecord.objects.filter(created_at__lt=ctx.cutoff("idempotency"))
    return {"deleted": int(qs.delete()[1].get("core.IdempotencyRecord", 0))}


def _privacy_request(ctx: _Ctx) -> Report:
    cutoff = ctx.cutoff("privacy_request")
    qs = PrivacyRequest.objects.filter(
        models.Q(completed_at__lt=cutoff)
        | models.Q(status=RequestStatus.AWAITING_CONFIRMATION, expires_at__lt=cutoff))
    return {"deleted": int(qs.delete()[1].get("privacy.PrivacyRequest", 0))}


def _consent(ctx: _Ctx) -> Report:
    # The ledger proves consent while it is relied on; three years after the person was
    # erased, or after a withdrawal that is the latest word, it goes.
    cutoff = ctx.cutoff("consent")
    qs = Consent.objects.filter(subject__erased_at__lt=cutoff)
    return {"deleted": int(qs.delete()[1].get("privacy.Consent", 0))}


def _code_recipient(ctx: _Ctx) -> Report:
    try:
        recipient = apps.get_model("codes", "Recipient")
    except LookupError:
        return {"deleted": 0}
    qs = recipient.objects.filter(sent_at__lt=ctx.cutoff("code_recipient"))
    return {"deleted": int(qs.delete()[1].get("codes.Recipient", 0))}


def _audit(ctx: _Ctx) -> Report:
    # Deleting the oldest entries keeps the rest of the chain verifiable from its new start.
    qs = AuditEntry.objects.filter(at__lt=ctx.cutoff("audit"))
    return {"deleted": int(qs.delete()[1].get("privacy.AuditEntry", 0))}


RULES: dict[str, Callable[[_Ctx], Report]] = {
    "draft": _draft, "claim_closed": _claim_closed, "receipt_paid": _receipt_paid,
    "transaction": _transaction, "email_log": _email_log, "idempotency": _idempotency,
    "privacy_request": _privacy_request, "consent": _consent,
    "code_recipient": _code_recipient, "audit": _audit,
}


class _DryRun(Exception):
    pass


def retention_run(*, dry_run: bool = False, now: datetime | None = None) -> RetentionRun:
    """Apply every retention rule; record what was (or, dry, would be) deleted."""
    ctx = _Ctx(now or utcnow())
    report: dict[str, Any] = {}
    try:
        with transaction.atomic():
            for code, apply in RULES.items():
                report[code] = apply(ctx)
            if dry_run:
                raise _DryRun
    except _DryRun:
        ctx.files = []
    receipt_files_discard(receipts=ctx.files)
    run = RetentionRun.objects.create(started_at=ctx.now, finished_at=utcnow(),
                                      dry_run=dry_run, report=report)
    total = sum(r.get("deleted", 0) for r in report.values())
    audit_record(actor="system", action="retention_dry_run" if dry_run else "retention_run",
                 what=f"run {run.pk}: {total} deleted")
    return run
