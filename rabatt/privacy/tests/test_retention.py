"""Retention: each rule deletes what is past its time, a legal hold keeps a claim untouched,
and every run stores a report with the counts per rule (a dry run changes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from rabatt.claims.models import BankDetails, Claim, ClaimDraft
from rabatt.claims.services import claim_event_record
from rabatt.claims.tests.factories import claim_factory
from rabatt.core import crypto
from rabatt.payouts.models import Payment
from rabatt.privacy.audit import audit_verify
from rabatt.privacy.models import AuditEntry, LegalHold, RetentionRun
from rabatt.privacy.retention import retention_run
from rabatt.privacy.tests.factories import EMAIL, FACTORIES
from rabatt.receipts.models import ReceiptFile

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _on_disk(file_ids: Any) -> list[Path]:
    """The sealed files of these receipts (named by their id) that are on disk."""
    return [p for pk in file_ids for p in Path(settings.MEDIA_ROOT).rglob(f"{pk}.*")]


@pytest.fixture
def world(subject, campaign, staff):
    """Claims and drafts of different ages, two of them under a legal hold."""
    rows: dict[str, Any] = {}
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        rows["old_rejected"] = claim_factory(campaign, status="rejected", email=EMAIL)
        rows["held_rejected"] = claim_factory(campaign, status="rejected", email=EMAIL)
        rows["old_paid"] = claim_factory(campaign, status="paid", email=EMAIL)
        rows["held_paid"] = claim_factory(campaign, status="paid", email=EMAIL)
        for name in ("old_paid", "held_paid"):
            claim_event_record(claim=rows[name], at=NOW - timedelta(days=400),
                               actor_type="system", kind="mark_paid", notify=False)
            rows[f"{name}_payment"] = FACTORIES["payouts.Payment"](subject, rows[name], {})
        rows["old_draft"] = ClaimDraft.objects.create(
            token_hash="o" * 64, campaign=campaign, wrapped_key=crypto.data_key_new(),
            data={"person": {"first_name": "Kari"}})
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        rows["recent_rejected"] = claim_factory(campaign, status="rejected", email=EMAIL)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        rows["new_draft"] = ClaimDraft.objects.create(
            token_hash="n" * 64, campaign=campaign, wrapped_key=crypto.data_key_new())
    for name in ("held_rejected", "held_paid"):
        LegalHold.objects.create(claim=rows[name], reason="dispute 2026-14", created_by=staff)
    return rows


def _snapshot(claim: Claim) -> tuple:
    row = Claim.objects.get(pk=claim.pk)
    return (row.status, row.first_name, row.email, row.updated_at,
            BankDetails.objects.filter(claim=claim).count(),
            ReceiptFile.objects.filter(claim=claim).count(),
            list(Payment.objects.filter(claim=claim).values_list("masked", "fingerprint")))


def test_rules_holds_and_report(world):
    held = {n: _snapshot(world[n]) for n in ("held_rejected", "held_paid")}
    old_ids = list(ReceiptFile.objects.filter(
        claim__in=[world["old_rejected"], world["old_paid"]]).values_list("pk", flat=True))
    assert len(_on_disk(old_ids)) == len(old_ids) == 2

    with time_machine.travel(NOW, tick=False):
        run = retention_run()

    assert run.report["claim_closed"] == {"deleted": 1, "held": 1}
    assert run.report["draft"] == {"deleted": 1, "files": 0}
    # Receipt (1 file) and bank details of the paid claim: 2 rows, the claim itself stays.
    assert run.report["receipt_paid"] == {"deleted": 2, "files": 1, "pseudonymised": 1}
    assert run.report["transaction"] == {"deleted": 0}
    assert set(run.report) == {"draft", "claim_closed", "receipt_paid", "transaction",
                               "email_log", "idempotency", "privacy_request", "consent",
                               "code_recipient", "audit"}
    assert not Claim.objects.filter(pk=world["old_rejected"].pk).exists()
    assert Claim.objects.filter(pk=world["recent_rejected"].pk).exists()
    assert Claim.objects.get(pk=world["old_paid"].pk).status == "paid"
    assert not BankDetails.objects.filter(claim=world["old_paid"]).exists()
    payment = Payment.objects.get(pk=world["old_paid_payment"].pk)
    assert (payment.masked, payment.fingerprint, bytes(payment.creditor_sealed)) == ("", "", b"")
    assert (payment.amount, payment.status) == (world["old_paid"].amount, "paid")
    assert _on_disk(old_ids) == []
    assert list(ClaimDraft.objects.values_list("pk", flat=True)) == [world["new_draft"].pk]
    # A held claim is untouched: same fields, same bank details, same files.
    assert {n: _snapshot(world[n]) for n in held} == held
    stored = RetentionRun.objects.get()
    assert stored.dry_run is False
    assert stored.started_at == NOW
    assert stored.report == run.report
    entry = AuditEntry.objects.filter(action="retention_run").get()
    # 4 rows above plus the claims' 10 e-mails (2 per rejected claim, 3 per paid one).
    assert run.report["email_log"] == {"deleted": 10}
    assert entry.what == f"run {run.pk}: 14 deleted"
    assert audit_verify() == []


def test_released_hold_and_ten_years(world):
    LegalHold.objects.filter(claim=world["held_paid"]).update(released_at=NOW)
    with time_machine.travel(NOW + timedelta(days=365 * 11), tick=False):
        run = retention_run()
    # Ten years after the end of the accounting year of payment: both paid claims go.
    assert run.report["transaction"] == {"deleted": 2}
    assert not Claim.objects.filter(pk=world["held_paid"].pk).exists()
    assert not Payment.objects.exists()  # the payment rows went with their claims
    assert Claim.objects.filter(pk=world["held_rejected"].pk).exists()


def test_dry_run_counts_and_changes_nothing(world, capsys):
    before = (Claim.objects.count(), ClaimDraft.objects.count(), BankDetails.objects.count(),
              ReceiptFile.objects.count())
    file_ids = list(ReceiptFile.objects.values_list("pk", flat=True))
    files = _on_disk(file_ids)
    assert len(files) == len(file_ids)
    with time_machine.travel(NOW, tick=False):
        call_command("privacy", "retention", "--dry-run")
    out = capsys.readouterr().out
    assert "claim_closed" in out
    assert "(held: 1)" in out
    run = RetentionRun.objects.get()
    assert run.dry_run is True
    assert run.report["claim_closed"] == {"deleted": 1, "held": 1}
    assert (Claim.objects.count(), ClaimDraft.objects.count(), BankDetails.objects.count(),
            ReceiptFile.objects.count()) == before
    assert all(p.exists() for p in files)
    assert AuditEntry.objects.filter(action="retention_dry_run").count() == 1
