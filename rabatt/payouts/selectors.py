"""Reads of payouts: the payout queue, batches, imports, and what is due soon or late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from rabatt.accounts.selectors import scope_by_brand
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.transitions import PAYMENT_PENDING
from rabatt.core.errors import Conflict, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.payouts.models import (
    ImportLog,
    PayerAccount,
    Payment,
    PaymentBatch,
    PayoutEvent,
)
from rabatt.payouts.transitions import IN_FLIGHT, LIVE_STATES

DUE_SOON_DAYS = 5
PAGE = 100


@dataclass(frozen=True)
class QueueRow:
    currency: str
    count: int
    total: Decimal
    oldest_due: datetime | None


def payout_queue(*, actor: Any) -> list[QueueRow]:
    """Approved claims the actor may see waiting for a payment, per currency."""
    live = Payment.objects.filter(claim=OuterRef("pk"), status__in=LIVE_STATES)
    rows = (scope_by_brand(Claim.objects.all(), actor)
            .filter(status=ClaimStatus.APPROVED).filter(~Exists(live))
            .values("currency").annotate(n=Count("pk"), total=Sum("amount"),
                                         oldest=Min("payment_due_at")).order_by("currency"))
    return [QueueRow(r["currency"], r["n"], r["total"] or Decimal(0), r["oldest"]) for r in rows]


def payers_active() -> QuerySet[PayerAccount]:
    return PayerAccount.objects.filter(active=True)


def payer_by_name(*, name: str) -> PayerAccount:
    payer = PayerAccount.objects.filter(name=name).first()
    if payer is None:
        raise NotFound(_("No paying account with this name."), code="payer_not_found")
    return payer


def payout_currencies() -> list[str]:
    found: set[str] = set()
    for currencies in payers_active().values_list("currencies", flat=True):
        found.update(currencies or [])
    return sorted(found)


def batches_visible(*, actor: Any) -> QuerySet[PaymentBatch]:
    """Batches of the brands the actor serves (one without a campaign: the operator's staff)."""
    return scope_by_brand(PaymentBatch.objects.all(), actor)


def batches_latest(*, limit: int = 20) -> list[PaymentBatch]:
    """The latest batches of every brand, newest first (the operator's command line)."""
    return list(PaymentBatch.objects.select_related("payer", "campaign")
                .order_by("-built_at", "-pk")[:limit])


def batches_recent(*, actor: Any, limit: int = 50) -> QuerySet[PaymentBatch]:
    return batches_visible(actor=actor).select_related(
        "payer", "built_by", "approved_by", "campaign")[:limit]


def batch_get(*, batch_id: int, actor: Any) -> PaymentBatch:
    batch = (batches_visible(actor=actor)
             .select_related("payer", "built_by", "approved_by", "campaign")
             .filter(pk=batch_id).first())
    if batch is None:
        raise NotFound(_("No such payout batch."))
    return batch


def batch_payments(*, batch: PaymentBatch, after: int = 0,
                   limit: int = PAGE) -> list[dict[str, Any]]:
    """One page of a batch's payments (masked accounts only), in file order."""
    rows = Payment.objects.filter(batch=batch, pk__gt=after).order_by("pk").values(
        "pk", "end_to_end_id", "amount", "currency", "status", "masked", "payment_due_at",
        "bank_status", "reason_code", "reason_text", "claim__reference")[:limit]
    return [dict(row) for row in rows]


@dataclass(frozen=True)
class SharedAccount:
    masked: str
    count: int
    total: Decimal
    references: list[str]


def batch_shared_accounts(*, batch: PaymentBatch) -> list[SharedAccount]:
    """Accounts that receive the money of several claims in this batch (a fraud signal)."""
    shared = list(batch.payments.values("fingerprint").annotate(n=Count("pk"))
                  .filter(n__gt=1).values_list("fingerprint", flat=True).order_by())
    rows: dict[str, list[Payment]] = {}
    for p in (batch.payments.filter(fingerprint__in=shared).select_related("claim")
              .only("fingerprint", "masked", "amount", "claim__reference").order_by("pk")):
        rows.setdefault(p.fingerprint, []).append(p)
    return [SharedAccount(masked=ps[0].masked, count=len(ps),
                          total=sum((p.amount for p in ps), Decimal(0)),
                          references=[p.claim.reference for p in ps])
            for ps in rows.values()]


def batch_status_counts(*, batch: PaymentBatch) -> dict[str, int]:
    return dict(batch.payments.values_list("status").annotate(n=Count("pk")).order_by())


def batch_events(*, batch: PaymentBatch) -> QuerySet[PayoutEvent]:
    return batch.events.select_related("actor")


def unpaid_claims() -> QuerySet[Claim]:
    """Claims we still owe money: approved (queued or in a bank file) or failed and waiting."""
    return Claim.objects.filter(status__in=PAYMENT_PENDING, payment_due_at__isnull=False)


def claims_late(*, actor: Any, now: datetime | None = None) -> QuerySet[Claim]:
    now = now or utcnow()
    return (scope_by_brand(unpaid_claims(), actor).filter(payment_due_at__lt=now)
            .order_by("payment_due_at", "pk"))


def claims_due_soon(*, actor: Any, now: datetime | None = None,
                    days: int = DUE_SOON_DAYS) -> QuerySet[Claim]:
    now = now or utcnow()
    return scope_by_brand(unpaid_claims(), actor).filter(payment_due_at__gte=now,
                                  payment_due_at__lte=now + timedelta(days=days)).order_by(
        "payment_due_at", "pk")


def imports_recent(*, limit: int = 20) -> QuerySet[ImportLog]:
    return ImportLog.objects.select_related("imported_by")[:limit]


def import_get(*, import_id: int) -> ImportLog:
    row = ImportLog.objects.select_related("imported_by").filter(pk=import_id).first()
    if row is None:
        raise NotFound(_("No such import."))
    return row


def claim_live_payment(*, claim_id: int) -> Payment | None:
    """The claim's payment that is queued, in a bank file or paid, if any."""
    return Payment.objects.filter(claim_id=claim_id, status__in=LIVE_STATES).first()


def refuse_if_payment_in_flight(*, claim_id: int) -> None:
    """Refuse a change to a claim whose money is on its way to the bank (a claims hook)."""
    live = claim_live_payment(claim_id=claim_id)
    if live is not None and live.status in IN_FLIGHT:
        raise Conflict(_("The payment is on its way to the bank; this cannot be changed now."),
                       code="payment_in_flight")
