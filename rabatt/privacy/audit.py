"""The access audit: one entry point, a hash chain that shows any change or deletion."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from rabatt.core.timeutil import utcnow
from rabatt.privacy.models import AuditEntry, AuditHead, Subject

GENESIS = "0" * 64


def audit_hash(prev: str, row: dict[str, Any]) -> str:
    body = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def audit_row_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(), "actor_type": entry.actor_type, "actor_id": entry.actor_id,
        "action": entry.action, "subject_id": str(entry.subject_id) if entry.subject_id else None,
        "claim_id": entry.claim_id, "what": entry.what,
    }


def audit_record(*, actor: AbstractBaseUser | str | None, action: str,
                 subject: Subject | None = None, claim_id: int | None = None,
                 what: str = "") -> AuditEntry:
    """Append to the access audit: who (a staff user, "consumer" or "system") did what to whose
    data. Identifiers only: never put a name, an e-mail address or a value into ``what``.

    Appends are serialised by locking the chain head, so concurrent writers cannot fork it.
    """
    if isinstance(actor, str) or actor is None:
        actor_type, actor_id = actor or "system", None
    else:
        actor_type, actor_id = "staff", int(actor.pk)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(at=utcnow(), actor_type=actor_type, actor_id=actor_id,
                           action=action[:60], subject_id=subject.pk if subject else None,
                           claim_id=claim_id, what=what[:200], prev_hash=head.last_hash)
        entry.hash = audit_hash(head.last_hash, audit_row_fields(entry))
        entry.save()
        head.last_hash = entry.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return entry


def audit_verify() -> list[str]:
    """Recompute the hash chain; return every break found (empty: intact)."""
    problems: list[str] = []
    prev: str | None = None
    count = 0
    last = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator():
        count += 1
        if prev is not None and entry.prev_hash != prev:
            problems.append(f"entry {entry.pk}: does not follow the entry before it "
                            "(a row was deleted or changed)")
        if audit_hash(entry.prev_hash, audit_row_fields(entry)) != entry.hash:
            problems.append(f"entry {entry.pk}: its content does not match its hash")
        prev = entry.hash
        last = entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != last:
        problems.append("the chain head does not match the last entry (entries at the end "
                        "were deleted)")
    if head is not None and problems == [] and head.count < count:
        problems.append("more entries than the chain head recorded")
    return problems
