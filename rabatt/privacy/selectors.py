"""Reads: consent state, the privacy officer's queue, audit verification, public tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from rabatt.privacy.classification import PURPOSES, RETENTION, Basis, Category, datamap
from rabatt.privacy.models import (
    AuditEntry,
    AuditHead,
    Consent,
    ConsentPurpose,
    PrivacyRequest,
    RequestStatus,
    Subject,
)


def consent_given(*, subject: Subject, purpose: str) -> bool | None:
    """The latest choice for a purpose: True, False, or None if the person never chose."""
    row = Consent.objects.filter(subject=subject, purpose=purpose).order_by("-at", "-id").first()
    return None if row is None else row.given


def marketing_allowed(*, subject: Subject) -> bool:
    """May we send this person a marketing e-mail now? (Service e-mails need no consent.)"""
    return (subject.erased_at is None and subject.restricted_at is None
            and subject.objected_at is None
            and consent_given(subject=subject, purpose=ConsentPurpose.MARKETING) is True)


def privacy_queue() -> QuerySet[PrivacyRequest]:
    """Requests that need the privacy officer, the most urgent first."""
    return PrivacyRequest.objects.filter(status=RequestStatus.QUEUED).order_by("due_at", "id")


def audit_verify() -> list[str]:
    """Recompute the hash chain; return every break found (empty: intact)."""
    from rabatt.privacy.services import GENESIS, _audit_hash, audit_row_fields

    problems: list[str] = []
    prev: str | None = None
    count = 0
    last = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator():
        count += 1
        if prev is not None and entry.prev_hash != prev:
            problems.append(f"entry {entry.pk}: does not follow the entry before it "
                            "(a row was deleted or changed)")
        if _audit_hash(entry.prev_hash, audit_row_fields(entry)) != entry.hash:
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


@dataclass(frozen=True)
class PublicRow:
    category: str
    fields: list[str]
    purposes: list[dict[str, str]]
    retention: list[str]
    of: str


def public_data_table(*, of: str = "subject") -> list[PublicRow]:
    """The privacy page's table: per category of data, what, why (and on what basis), how long.

    Built from the data map, so it cannot drift from what the code stores."""
    grouped: dict[str, dict[str, Any]] = {}
    for entry in datamap().values():
        for name, decl in entry.personal_fields().items():
            if decl.of != of:
                continue
            row = grouped.setdefault(decl.category,
                                     {"fields": set(), "purposes": set(), "retention": set()})
            row["fields"].add(_field_label(entry.model, name))
            row["purposes"].update(decl.purposes)
            row["retention"].add(decl.retention)
    out = []
    for category in Category.values:
        if category not in grouped:
            continue
        row = grouped[category]
        out.append(PublicRow(
            category=str(Category(category).label), fields=sorted(row["fields"]),
            purposes=[{"label": str(PURPOSES[p].label), "basis": str(Basis(PURPOSES[p].basis)
                                                                     .label)}
                      for p in sorted(row["purposes"])],
            retention=sorted({str(RETENTION[r].label) for r in row["retention"]
                              if RETENTION[r].applied_by != "parent"}),
            of=of,
        ))
    return out


def _field_label(model_label: str, name: str) -> str:
    from django.apps import apps

    field = apps.get_model(model_label)._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
