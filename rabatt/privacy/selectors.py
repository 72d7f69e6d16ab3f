"""Reads: consent state, the privacy officer's queue, audit verification, public tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from rabatt.accounts.selectors import brand_ids_visible_to
from rabatt.claims.models import Claim
from rabatt.privacy.classification import PURPOSES, RETENTION, Basis, Category, datamap
from rabatt.privacy.models import (
    PrivacyRequest,
    RequestStatus,
)


def privacy_requests_visible(*, actor: Any) -> QuerySet[PrivacyRequest]:
    """Requests the actor may handle: all for the operator's staff; for staff of some brands,
    those of people with a claim in one of them (anyone else is the operator's to answer)."""
    ids = brand_ids_visible_to(actor)
    if ids is None:
        return PrivacyRequest.objects.all()
    return PrivacyRequest.objects.filter(
        Exists(Claim.objects.filter(subject=OuterRef("subject"), campaign__brand__in=ids)))


def privacy_queue(*, actor: Any) -> QuerySet[PrivacyRequest]:
    """Requests that need the privacy officer, the most urgent first."""
    return privacy_requests_visible(actor=actor).filter(
        status=RequestStatus.QUEUED).order_by("due_at", "id")


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
