"""Writes of payouts: paying accounts, batches (build, approve, cancel, export), bank-file
imports and due-date alerts. One function per status change; each locks, checks, saves what
changed, writes a ``PayoutEvent`` naming who acted, and leaves side effects to after commit."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from rabatt.accounts.roles import Role, require
from rabatt.banking import BankAccount
from rabatt.campaigns.models import Campaign
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.services import claim_mark_paid, claim_mark_payment_failed
from rabatt.claims.transitions import PAYMENT_PENDING
from rabatt.core import crypto
from rabatt.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from rabatt.core.money import is_currency
from rabatt.core.timeutil import utcnow
from rabatt.core.transitions import apply
from rabatt.payouts import sealing
from rabatt.payouts.emails import alert_due_email_queue
from rabatt.payouts.iso20022 import (
    PAIN_001_001_03,
    PAIN_001_001_09,
    BatchSummary,
    CreditTransfer,
    Debtor,
    PainVersion,
    PaymentOutcome,
    PostalAddress,
    ReconciliationReport,
    parse_bank_file,
    write_pain001,
)
from rabatt.payouts.models import (
    BatchStatus,
    DueAlert,
    ImportLog,
    PayerAccount,
    Payment,
    PaymentBatch,
    PaymentStatus,
    PayoutEvent,
)
from rabatt.payouts.transitions import BATCH_TRANSITIONS, LIVE_STATES, PAYMENT_TRANSITIONS
from rabatt.privacy.audit import audit_record
from rabatt.privacy.subjects import subject_unseal

log = logging.getLogger(__name__)

VERSIONS: tuple[PainVersion, ...] = (PAIN_001_001_09, PAIN_001_001_03)
ALERT_DAYS = 5
MAX_IMPORT_BYTES = 64 * 1024 * 1024
_CHUNK = 1000
# At most this many references are kept in an event or log row; the counts are always exact.
_LIST_MAX = 200


def _require_finance(user: User | None) -> User:
    require(user, "payouts.manage")
    assert user is not None
    return user


def _event(batch: PaymentBatch | None, kind: str, actor: User | None,
           data: dict[str, Any] | None = None) -> PayoutEvent:
    return PayoutEvent.objects.create(batch=batch, at=utcnow(), actor=actor, kind=kind,
                                      data=data or {})


def _actor_type(actor: User | None) -> str:
    return "staff" if actor is not None else "system"


def _batch_transition(*, batch: PaymentBatch, action: str, actor: User | None,
                      changes: dict[str, Any] | None = None,
                      data: dict[str, Any] | None = None) -> PaymentBatch:
    """Move a locked batch along the table, save what changed, write the event (its new status)."""
    transition = BATCH_TRANSITIONS.check(action, status=batch.status,
                                         actor_type=_actor_type(actor))
    apply(batch, transition, changes=changes)
    _event(batch, transition.target, actor, data)
    return batch


def _payments_transition(*, payments: QuerySet[Payment], action: str,
                         changes: dict[str, Any] | None = None) -> int:
    """Move every payment of ``payments`` that may take ``action``; return how many moved.

    The caller holds the lock of their batch or of the payment itself.
    """
    transition = PAYMENT_TRANSITIONS[action]
    return payments.filter(status__in=transition.sources).update(
        status=transition.target, updated_at=utcnow(), **(changes or {}))


# --- paying accounts ---------------------------------------------------------------------------


def payer_validate(*, name: str, iban: str, bic: str, country: str,
                   currencies: Sequence[str], file_version: str) -> dict[str, Any]:
    """Check a paying account and return its fields normalised, or refuse with every problem."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {"name": name.strip(), "country": country.strip().upper(),
                              "file_version": file_version}
    if not values["name"]:
        problems["name"] = str(_("Enter the account's name."))
    try:
        parsed = IBAN(iban)
        values["iban"] = str(parsed.compact)
        if parsed.country_code != values["country"]:
            problems["country"] = str(_("The country must be the IBAN's country."))
    except SchwiftyException:
        problems["iban"] = str(_("This is not a valid IBAN."))
    values["bic"] = ""
    if bic.strip():
        try:
            values["bic"] = str(BIC(bic).compact)
        except SchwiftyException:
            problems["bic"] = str(_("This is not a valid BIC (SWIFT code)."))
    elif "iban" in values:
        # schwifty's bank registry knows the BIC of most European bank codes; without one the
        # bank file would say NOTPROVIDED and some banks refuse it.
        derived = IBAN(values["iban"]).bic
        values["bic"] = str(derived.compact) if derived is not None else ""
    codes = sorted({c.strip().upper() for c in currencies if c.strip()})
    if not codes or not all(is_currency(c) for c in codes):
        problems["currencies"] = str(_("Give one or more known currency codes."))
    values["currencies"] = codes
    if file_version not in VERSIONS:
        problems["file_version"] = str(_("Unknown bank file version."))
    if problems:
        raise DomainError(_("The paying account is not valid."), code="payer_invalid",
                          fields=problems)
    return values


def payer_create(*, name: str, iban: str, country: str, currencies: Sequence[str],
                 bic: str = "", initiating_party_id: str = "",
                 file_version: str = PAIN_001_001_09) -> PayerAccount:
    """Add an account to pay cashback from (command line; the admin uses the same checks)."""
    values = payer_validate(name=name, iban=iban, bic=bic, country=country,
                            currencies=currencies, file_version=file_version)
    if PayerAccount.objects.filter(name=values["name"]).exists():
        raise Conflict(_("A paying account with this name exists already."), code="payer_exists")
    return PayerAccount.objects.create(initiating_party_id=initiating_party_id.strip(), **values)


def _payer_for(currency: str, payer: PayerAccount | None) -> PayerAccount:
    if payer is not None:
        if not payer.active or currency not in payer.currencies:
            raise DomainError(_("This paying account does not pay in %(currency)s.")
                              % {"currency": currency}, code="payer_wrong_currency",
                              fields={"payer": payer.name})
        return payer
    candidates = [p for p in PayerAccount.objects.filter(active=True) if currency in p.currencies]
    if not candidates:
        raise DomainError(_("No paying account pays in %(currency)s; add one first with "
                            "rabatt payouts payer add NAME --iban IBAN --country CC "
                            "--currency %(currency)s.")
                          % {"currency": currency}, code="payer_missing",
                          fields={"currency": currency})
    if len(candidates) > 1:
        raise DomainError(_("Several paying accounts pay in %(currency)s; choose one.")
                          % {"currency": currency}, code="payer_ambiguous",
                          fields={"payer": [p.name for p in candidates]})
    return candidates[0]


# --- building a batch --------------------------------------------------------------------------


def payable_claims(*, currency: str, campaign: Campaign | None = None) -> Any:
    """Approved claims in ``currency`` that no live payment holds, oldest due first."""
    live = Payment.objects.filter(claim=OuterRef("pk"), status__in=LIVE_STATES)
    qs = Claim.objects.filter(
        status=ClaimStatus.APPROVED, currency=currency, bank__isnull=False,
        subject__erased_at__isnull=True, subject__restricted_at__isnull=True,
    ).filter(~Exists(live))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("payment_due_at", "pk")


def _batched(items: Iterable[int], size: int = _CHUNK) -> Iterator[list[int]]:
    chunk: list[int] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _snapshot(claim: Claim) -> tuple[dict[str, Any], BankAccount]:
    data: dict[str, Any] = json.loads(subject_unseal(claim.subject, bytes(claim.bank.sealed)))
    holder = str(data.pop("account_holder", "")).strip()
    account = BankAccount.from_dict(data)
    snapshot = {
        "name": holder or f"{claim.first_name} {claim.last_name}".strip(),
        "reference": claim.reference,
        "account": account.as_dict(),
        "address": {"country": claim.address_country, "town": claim.city,
                    "postcode": claim.postcode},
    }
    return snapshot, account


def payout_batch_build(*, actor: User, currency: str, payer: PayerAccount | None = None,
                       campaign: Campaign | None = None, limit: int | None = None,
                       now: datetime | None = None) -> PaymentBatch:
    """Put approved claims in ``currency`` into a new batch, oldest due first.

    Claims are picked with ``SELECT ... FOR UPDATE SKIP LOCKED``, so builders running at once
    take disjoint claims, and the partial unique constraint on ``Payment.claim`` makes a second
    live payment for a claim impossible whatever happens (conflicting rows are not inserted).
    """
    _require_finance(actor)
    currency = currency.strip().upper()
    if limit is not None and limit < 1:
        raise DomainError(_("The limit must be at least 1."), code="invalid_limit",
                          fields={"limit": limit})
    payer = _payer_for(currency, payer)
    now = now or utcnow()
    wrapped, sealed_key = sealing.file_key_new()
    aead = sealing.file_aead(wrapped, sealed_key)
    skipped: list[str] = []
    with transaction.atomic():
        batch = PaymentBatch.objects.create(
            currency=currency, payer=payer, campaign=campaign, built_by=actor, built_at=now,
            wrapped_key=wrapped, sealed_file_key=sealed_key,
        )
        batch.message_id = f"RABATT-{now:%Y%m%d}-{batch.pk}"
        picked = payable_claims(currency=currency, campaign=campaign).select_for_update(
            skip_locked=True, of=("self",))
        if limit is not None:
            picked = picked[:limit]
        # Streamed from a server-side cursor on PostgreSQL: rows are locked as they are read
        # and nothing is kept per claim, so memory does not grow with the batch.
        for chunk in _batched(picked.values_list("pk", flat=True).iterator(chunk_size=_CHUNK)):
            claims = {c.pk: c for c in Claim.objects.filter(pk__in=chunk).select_related(
                "bank", "subject").only(
                "pk", "reference", "amount", "currency", "first_name", "last_name", "city",
                "postcode", "address_country", "payment_due_at", "subject__wrapped_key",
                "bank__sealed", "bank__masked", "bank__fingerprint")}
            rows = []
            for pk in chunk:
                claim = claims[pk]
                try:
                    snapshot, account = _snapshot(claim)
                except (DomainError, crypto.KeyError_, ValueError, TypeError):
                    skipped.append(claim.reference)
                    continue
                if account.currency != claim.currency or claim.amount <= 0:
                    skipped.append(claim.reference)
                    continue
                e2e = f"{claim.reference}-{batch.pk}"
                rows.append(Payment(
                    batch=batch, claim_id=pk, amount=claim.amount, currency=claim.currency,
                    end_to_end_id=e2e, masked=claim.bank.masked,
                    fingerprint=claim.bank.fingerprint, payment_due_at=claim.payment_due_at,
                    creditor_sealed=sealing.seal_small(
                        aead, json.dumps(snapshot).encode(), e2e),
                ))
            # A row that would be a claim's second live payment is skipped, not inserted.
            Payment.objects.bulk_create(rows, ignore_conflicts=True)
        totals = batch.payments.aggregate(n=Count("pk"), total=Sum("amount"))
        if not totals["n"]:
            raise Conflict(_("No approved claims in %(currency)s are waiting for payment.")
                           % {"currency": currency}, code="nothing_to_pay")
        batch.count, batch.total = totals["n"], totals["total"]
        batch.save(update_fields=["message_id", "count", "total"])
        _event(batch, "built", actor, {
            "count": batch.count, "total": str(batch.total), "limit": limit,
            "campaign": campaign.slug if campaign else None,
            "skipped": len(skipped), "skipped_references": skipped[:_LIST_MAX],
        })
    return batch


# --- approving, cancelling ------------------------------------------------------------------


def _locked_batch(batch_id: int) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No such payout batch."))
    return batch


def _wrong_state(batch: PaymentBatch) -> Conflict:
    return Conflict(_("This cannot be done while the batch is %(status)s.")
                    % {"status": BatchStatus(batch.status).label}, code="invalid_transition")


def payout_batch_approve(*, batch_id: int, actor: User) -> PaymentBatch:
    """Approve a built batch; the approver must be another finance user than the builder."""
    _require_finance(actor)
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        BATCH_TRANSITIONS.check("approve", status=batch.status, actor_type="staff")
        if batch.built_by_id == actor.pk:
            raise PermissionDenied(
                _("A batch must be approved by someone other than the person who built it."),
                code="four_eyes")
        _batch_transition(batch=batch, action="approve", actor=actor,
                          changes={"approved_by": actor, "approved_at": utcnow()},
                          data={"count": batch.count, "total": str(batch.total)})
    return batch


def payout_batch_cancel(*, batch_id: int, actor: User) -> PaymentBatch:
    """Cancel a batch before its bank file exists; its claims go back to the payout queue."""
    _require_finance(actor)
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        BATCH_TRANSITIONS.check("cancel", status=batch.status, actor_type="staff")
        cancelled = _payments_transition(payments=batch.payments.all(), action="cancel",
                                         changes={"creditor_sealed": b""})
        _batch_transition(batch=batch, action="cancel", actor=actor,
                          changes={"cancelled_at": utcnow()}, data={"payments": cancelled})
    return batch


# --- the bank file ------------------------------------------------------------------------------


def _debtor(payer: PayerAccount) -> Debtor:
    return Debtor(name=payer.name, iban=payer.iban, bic=payer.bic or None, country=payer.country,
                  initiating_party_id=payer.initiating_party_id or None)


def _transfers(batch: PaymentBatch, aead: AESGCM) -> Iterator[CreditTransfer]:
    rows = (Payment.objects.filter(batch=batch, status=PaymentStatus.PENDING).order_by("pk")
            .values_list("pk", "end_to_end_id", "amount", "currency", "creditor_sealed")
            .iterator(chunk_size=2000))
    for pk, e2e, amount, currency, sealed in rows:
        snapshot = json.loads(sealing.unseal_small(aead, bytes(sealed), e2e))
        address = snapshot.get("address") or {}
        yield CreditTransfer(
            end_to_end_id=e2e,
            instruction_id=f"P{pk}",
            amount=amount,
            currency=currency,
            creditor_name=snapshot["name"],
            account=BankAccount.from_dict(snapshot["account"]),
            remittance=f"Cashback {snapshot['reference']}",
            # Non-SEPA transfers increasingly need the creditor's town; SEPA needs none.
            creditor_address=PostalAddress(
                country=address.get("country") or snapshot["account"]["country"],
                town=address.get("town") or None, postcode=address.get("postcode") or None,
            ) if currency != "EUR" else None,
        )


def payout_batch_export(*, batch_id: int, actor: User | None,
                        version: PainVersion | None = None, execution_date: date | None = None,
                        now: datetime | None = None) -> PaymentBatch:
    """Produce the approved batch's bank file once; later calls return the same file.

    Payments whose claim is no longer approved or whose bank details changed since the batch
    was built are cancelled first (only removals: the approver saw every payment that is
    left). The file is encrypted on disk; :func:`bank_file_read` gives it back.
    """
    if actor is not None:
        _require_finance(actor)
    if version is not None and version not in VERSIONS:
        raise DomainError(_("Unknown bank file version."), code="invalid_version",
                          fields={"version": version})
    now = now or utcnow()
    path = sealing.file_path(batch_id)
    tmp = path.with_suffix(".tmp")
    try:
        with transaction.atomic():
            batch = _locked_batch(batch_id)
            if batch.status == BatchStatus.EXPORTED:
                if version is not None and version != batch.file_version:
                    raise Conflict(
                        _("The bank file of this batch was produced as %(version)s; a second "
                          "file for the same payments is not allowed.")
                        % {"version": batch.file_version}, code="already_exported")
                return batch
            BATCH_TRANSITIONS.check("export", status=batch.status,
                                    actor_type=_actor_type(actor))
            version = version or _payer_version(batch.payer)
            # Claims are locked so that nobody changes bank details or voids them while the
            # file is written; then anything that changed since approval is dropped.
            for _pk in Claim.objects.select_for_update(of=("self",)).filter(
                    payments__batch=batch, payments__status=PaymentStatus.PENDING,
            ).values_list("pk", flat=True).iterator(chunk_size=5000):
                pass
            pending = batch.payments.filter(status=PaymentStatus.PENDING)
            changed = pending.exclude(
                claim__status=ClaimStatus.APPROVED,
                claim__bank__fingerprint=F("fingerprint"),
            )
            # A person restricted or erased since approval must not be paid from this file.
            blocked = pending.filter(Q(claim__subject__restricted_at__isnull=False)
                                     | Q(claim__subject__erased_at__isnull=False))
            stale = pending.filter(Q(pk__in=changed.values("pk")) | Q(pk__in=blocked.values("pk")))
            dropped = list(stale.values_list("end_to_end_id", flat=True)[:_LIST_MAX])
            n_dropped = _payments_transition(
                payments=stale, action="cancel",
                changes={"creditor_sealed": b"", "reason_text": "claim changed before export"})
            if not batch.payments.filter(status=PaymentStatus.PENDING).exists():
                return _batch_transition(
                    batch=batch, action="cancel", actor=actor, changes={"cancelled_at": now},
                    data={"reason": "every claim changed", "dropped": n_dropped})
            aead = sealing.file_aead(bytes(batch.wrapped_key), bytes(batch.sealed_file_key))
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(tmp, "wb") as raw:
                sink = sealing.SealedWriter(raw, aead, _file_context(batch))
                summary: BatchSummary = write_pain001(
                    sink,
                    debtor=_debtor(batch.payer),
                    message_id=str(batch.message_id),
                    created_at=now,
                    execution_date=execution_date or now.date(),
                    payments=lambda: _transfers(batch, aead),
                    version=version,
                )
                sink.close()
            tmp.replace(path)
            # The file is now the only copy of the creditor details.
            _payments_transition(payments=batch.payments.all(), action="send",
                                 changes={"creditor_sealed": b""})
            _batch_transition(batch=batch, action="export", actor=actor, changes={
                "exported_at": now, "file_version": version, "file_sha256": summary.sha256,
                "file_size": summary.size, "execution_date": execution_date or now.date(),
                "count": summary.number_of_transactions, "total": summary.control_sum,
            }, data={
                "version": version, "sha256": summary.sha256,
                "count": summary.number_of_transactions, "total": str(summary.control_sum),
                "dropped": n_dropped, "dropped_ids": dropped,
            })
    except BaseException:
        tmp.unlink(missing_ok=True)
        if not PaymentBatch.objects.filter(pk=batch_id, status=BatchStatus.EXPORTED).exists():
            path.unlink(missing_ok=True)
        raise
    return batch


def _payer_version(payer: PayerAccount) -> PainVersion:
    return PAIN_001_001_03 if payer.file_version == PAIN_001_001_03 else PAIN_001_001_09


def _file_context(batch: PaymentBatch) -> str:
    return f"payout-file:{batch.pk}:{batch.message_id}"


def bank_file_read(*, batch_id: int, actor: User | None, via: str) -> tuple[PaymentBatch,
                                                                             Iterator[bytes]]:
    """Return the batch and its bank file's bytes (streamed); the read is audited, as the file
    holds every creditor's full bank account. The digest is checked at the end."""
    if actor is not None:
        _require_finance(actor)
    batch = PaymentBatch.objects.select_related("payer").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No such payout batch."))
    if batch.status != BatchStatus.EXPORTED:
        raise _wrong_state(batch)
    audit_record(actor=actor, action="payout_file_read",
                 what=f"batch {batch.pk} {batch.message_id}: {batch.count} payments via {via}")
    aead = sealing.file_aead(bytes(batch.wrapped_key), bytes(batch.sealed_file_key))
    return batch, _verified(batch, aead)


def _verified(batch: PaymentBatch, aead: AESGCM) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in sealing.read_sealed(sealing.file_path(batch.pk), aead, _file_context(batch)):
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != batch.file_sha256:
        raise sealing.SealError("the stored bank file does not match its SHA-256")


# --- importing the bank's answers ---------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    log: ImportLog
    already: bool


def _read_limited(source: bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(_("The file is too large."), code="xml_too_large")
    return data


def bank_file_import(*, source: bytes | IO[bytes], filename: str = "",
                     actor: User | None = None) -> ImportResult:
    """Apply a pain.002, camt.053 or camt.054 file to our payments; importing the same file
    (same bytes, or the same message id) again changes nothing and says so."""
    if actor is not None:
        _require_finance(actor)
    data = _read_limited(source)
    sha = hashlib.sha256(data).hexdigest()
    done = ImportLog.objects.filter(sha256=sha, status=ImportLog.Status.DONE).first()
    if done is not None:
        return ImportResult(done, True)
    report = parse_bank_file(data)
    done = ImportLog.objects.filter(kind=report.kind, message_id=report.message_id[:35],
                                    status=ImportLog.Status.DONE).first()
    if done is not None:
        return ImportResult(done, True)
    try:
        with transaction.atomic():
            import_log = ImportLog.objects.create(
                sha256=sha, kind=report.kind, version=report.version,
                message_id=report.message_id[:35], filename=filename[:200], size=len(data),
                imported_by=actor, imported_at=utcnow(),
            )
    except IntegrityError:
        # Imported at the same moment, or an earlier run stopped half-way: applying again is
        # harmless (every payment change is conditional), so finish the job.
        found = ImportLog.objects.filter(
            Q(sha256=sha) | Q(kind=report.kind, message_id=report.message_id[:35])).first()
        if found is None:
            raise
        if found.status == ImportLog.Status.DONE:
            return ImportResult(found, True)
        import_log = found
    _apply_report(import_log, report)
    return ImportResult(import_log, False)


def _payment_ids(e2e_ids: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ids = list(e2e_ids)
    for start in range(0, len(ids), _CHUNK):
        found.update(Payment.objects.filter(end_to_end_id__in=ids[start:start + _CHUNK])
                     .values_list("end_to_end_id", "pk"))
    return found


def _block_outcomes(report: ReconciliationReport,
                    finals: dict[str, PaymentOutcome]) -> tuple[list[tuple[int, PaymentOutcome]],
                                                                list[dict[str, Any]]]:
    """Turn whole-file or whole-block statuses into per-payment outcomes."""
    applied: list[tuple[int, PaymentOutcome]] = []
    unmatched: list[dict[str, Any]] = []
    for block in report.blocks:
        if block.outcome == "pending":
            continue
        message_id = (block.original_id if block.scope == "message"
                      else block.original_id.rsplit("-", 1)[0])
        batch = PaymentBatch.objects.filter(message_id=message_id).first()
        if batch is None:
            unmatched.append({"reference": block.original_id, "info": block.bank_status})
            continue
        for pk, e2e in batch.payments.filter(status=PaymentStatus.SENT).values_list(
                "pk", "end_to_end_id"):
            if e2e not in finals:
                applied.append((pk, PaymentOutcome(
                    end_to_end_id=e2e, outcome=block.outcome, bank_status=block.bank_status,
                    reason_code=block.reason_code, reason_text=block.reason_text)))
    return applied, unmatched


def _apply_report(import_log: ImportLog, report: ReconciliationReport) -> None:
    finals = report.final_outcomes()
    known = _payment_ids(finals)
    counts = {"paid": 0, "failed": 0, "pending": 0, "unchanged": 0}
    problems: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = [
        {"reference": u.reference, "end_to_end_id": u.end_to_end_id,
         "amount": str(u.amount) if u.amount is not None else None, "currency": u.currency,
         "credit_debit": u.credit_debit,
         "booked_on": u.booked_on.isoformat() if u.booked_on else None, "info": u.info}
        for u in report.unmatched
    ]
    work: list[tuple[int, PaymentOutcome]] = []
    for e2e, outcome in finals.items():
        if e2e in known:
            work.append((known[e2e], outcome))
        else:
            unmatched.append({"reference": None, "end_to_end_id": e2e,
                              "amount": str(outcome.amount) if outcome.amount else None,
                              "currency": outcome.currency, "credit_debit": None,
                              "booked_on": None, "info": outcome.bank_status})
    from_blocks, block_unmatched = _block_outcomes(report, finals)
    work += from_blocks
    unmatched += block_unmatched
    for payment_id, outcome in work:
        result = _payment_settle(payment_id=payment_id, outcome=outcome, import_log=import_log)
        if result in counts:
            counts[result] += 1
        else:
            problems.append({"end_to_end_id": outcome.end_to_end_id,
                             "outcome": outcome.outcome, "problem": result})
    import_log.paid = counts["paid"]
    import_log.failed = counts["failed"]
    import_log.pending = counts["pending"]
    import_log.unchanged = counts["unchanged"]
    import_log.unmatched_count = len(unmatched)
    import_log.problem_count = len(problems)
    import_log.unmatched = unmatched[:_LIST_MAX]
    import_log.problems = problems[:_LIST_MAX]
    import_log.status = ImportLog.Status.DONE
    import_log.finished_at = utcnow()
    import_log.save()
    _event(None, "imported", import_log.imported_by, {
        "import": import_log.pk, "kind": import_log.kind, "message_id": import_log.message_id,
        **counts, "unmatched": len(unmatched), "problems": len(problems)})


def _payment_settle(*, payment_id: int, outcome: PaymentOutcome, import_log: ImportLog) -> str:
    """Apply one bank outcome to one payment; returns the count it belongs to or a problem."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        data = {"end_to_end_id": payment.end_to_end_id, "import": import_log.pk,
                "bank_status": outcome.bank_status}
        if outcome.outcome == "pending":
            if payment.status != PaymentStatus.SENT:
                return "unchanged"
            payment.bank_status = outcome.bank_status[:10]
            payment.save(update_fields=["bank_status", "updated_at"])
            return "pending"
        action = "pay" if outcome.outcome == "paid" else "fail"
        target = PAYMENT_TRANSITIONS[action].target
        if payment.status == target:
            return "unchanged"
        moved = _payments_transition(
            payments=Payment.objects.filter(pk=payment.pk), action=action, changes={
                "bank_status": outcome.bank_status[:10],
                "reason_code": (outcome.reason_code or "")[:10],
                "reason_text": (outcome.reason_text or "")[:200], "settled_at": utcnow()})
        if not moved:
            return f"the payment is {payment.status}; the bank says {outcome.outcome}"
        try:
            with transaction.atomic():
                if action == "pay":
                    claim_mark_paid(claim_id=payment.claim_id, data=data)
                else:
                    # The code, not the bank's English text: the consumer reads the reason
                    # in their own language (``claims.emails.PAYMENT_FAILURES``).
                    claim_mark_payment_failed(
                        claim_id=payment.claim_id,
                        reason=outcome.reason_code or "payment_failed",
                        data={**data, "reason_code": outcome.reason_code or "",
                              "reason_text": (outcome.reason_text or "")[:200]})
        except DomainError as exc:
            # The money moved (or came back) whatever the claim's state: keep the payment's
            # new status and let finance settle the claim by hand.
            return f"payment {target}, but the claim could not follow: {exc.message}"
    return str(target)


# --- the 30-day promise ---------------------------------------------------------------------


def finance_recipients() -> list[str]:
    return sorted(set(User.objects.filter(
        is_active=True, staff_profile__role=Role.FINANCE, staff_profile__active=True,
    ).exclude(email="").values_list("email", flat=True)))


def payouts_alert_due(*, now: datetime | None = None) -> int:
    """E-mail finance about unpaid claims due within 5 days or late; each claim once per due
    date. Safe to run as often as you like: a claim already reported is not reported again.
    Returns the number of claims in the e-mail queued (0: nothing new)."""
    from rabatt.payouts.selectors import unpaid_claims

    now = now or utcnow()
    horizon = now + timedelta(days=ALERT_DAYS)
    rows = list(unpaid_claims().filter(payment_due_at__lte=horizon)
                .values_list("pk", "payment_due_at"))
    for start in range(0, len(rows), _CHUNK):
        DueAlert.objects.bulk_create(
            [DueAlert(claim_id=pk, due_at=due, created_at=now)
             for pk, due in rows[start:start + _CHUNK] if due is not None],
            ignore_conflicts=True)
    recipients = finance_recipients()
    if not recipients:
        log.warning("payout alert: no active finance user to e-mail")
        return 0
    with transaction.atomic():
        # Locked and skipped by a concurrent run; the e-mail is queued in this transaction, so
        # the alerts are marked reported exactly when their e-mail is certain to be sent.
        alerts = list(DueAlert.objects.select_for_update(skip_locked=True, of=("self",))
                      .filter(notified_at__isnull=True, claim__status__in=PAYMENT_PENDING)
                      .select_related("claim").order_by("due_at", "pk"))
        alerts = [a for a in alerts if a.claim.payment_due_at == a.due_at]
        if not alerts:
            return 0
        ids = [a.pk for a in alerts]
        # A conditional UPDATE: an alert another run reported meanwhile (databases without
        # row locks) makes this run give way, so no claim is reported twice for a due date.
        if DueAlert.objects.filter(pk__in=ids, notified_at__isnull=True).update(
                notified_at=now) != len(ids):
            transaction.set_rollback(True)
            return 0
        alert_due_email_queue(alerts=alerts, recipients=recipients, now=now, days=ALERT_DAYS)
    return len(alerts)
