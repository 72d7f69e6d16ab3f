"""The access audit: one writer, ids only, a hash chain that shows edits and deletions, and
one chain however many writers append at once."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rabatt.codes.tests.concurrency import needs_postgres, run_together
from rabatt.privacy.audit import GENESIS, audit_record, audit_verify
from rabatt.privacy.models import AuditEntry, AuditHead
from rabatt.privacy.subjects import subject_for_email

pytestmark = pytest.mark.django_db


def _three(staff):
    subject = subject_for_email(email="kari@example.no")
    start = AuditEntry.objects.count()
    entries = [audit_record(actor="system", action="retention_run", what="run 1"),
               audit_record(actor=staff, action="claim_viewed", subject=subject, claim_id=7,
                            what="bank"),
               audit_record(actor="consumer", action="rights_request", subject=subject)]
    assert AuditEntry.objects.count() == start + 3
    return entries


def test_record_appends_ids_only(staff, capsys):
    first, second, third = _three(staff)
    before = AuditEntry.objects.filter(pk__lt=first.pk).last()
    assert first.prev_hash == (before.hash if before else GENESIS)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert (second.actor_type, second.actor_id, second.claim_id) == ("staff", staff.pk, 7)
    assert (third.actor_type, third.actor_id) == ("consumer", None)
    head = AuditHead.objects.get()
    assert head.last_hash == third.hash
    assert head.count == AuditEntry.objects.count()
    assert audit_verify() == []
    call_command("privacy", "audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out


def test_verify_detects_an_edited_row(staff):
    _first, second, _third = _three(staff)
    AuditEntry.objects.filter(pk=second.pk).update(claim_id=8)
    assert audit_verify() == [f"entry {second.pk}: its content does not match its hash"]
    with pytest.raises(CommandError, match="tampered"):
        call_command("privacy", "audit", "verify")


def test_verify_detects_a_deleted_row(staff):
    _first, second, third = _three(staff)
    AuditEntry.objects.filter(pk=second.pk).delete()
    problems = audit_verify()
    assert problems == [f"entry {third.pk}: does not follow the entry before it "
                        "(a row was deleted or changed)"]
    with pytest.raises(CommandError):
        call_command("privacy", "audit", "verify")


def test_verify_detects_a_deleted_last_row(staff):
    *_rest, third = _three(staff)
    AuditEntry.objects.filter(pk=third.pk).delete()
    assert any("chain head" in p for p in audit_verify())


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    threads, each = 8, 5

    def append(i: int) -> int:
        for n in range(each):
            audit_record(actor="system", action="concurrent", what=f"{i}-{n}")
        return i

    results = run_together(append, threads)
    assert results == list(range(threads))
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == threads * each
    # One chain: every entry follows exactly one other, none is followed twice.
    assert len({e.prev_hash for e in entries}) == len(entries)
    assert audit_verify() == []
    assert AuditHead.objects.get().count == threads * each
