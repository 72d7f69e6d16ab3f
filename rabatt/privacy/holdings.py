"""Everything we hold about a person, found through the data map: what access exports and
erasure removes.

Rows reach a person through ``ModelMap.subject`` (an ORM path to the Subject) or, for rows kept
by address, ``ModelMap.email``: those are found by the addresses of the person's claims and by
the address a request came from (remembered in the request's outcome).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from rabatt.claims.models import Claim
from rabatt.privacy.classification import ModelMap, datamap
from rabatt.privacy.models import Subject
from rabatt.privacy.subjects import email_normalise

EmailRows = dict[str, list[str]]


def email_rows(*, emails: set[str]) -> EmailRows:
    """Return the ids of rows kept by these (normalised) addresses, per model label."""
    found: EmailRows = {}
    if not emails:
        return found
    for label, entry in datamap().items():
        if entry.email is None:
            continue
        model = apps.get_model(label)
        ids = list(model._default_manager.filter(**{f"{entry.email}__in": sorted(emails)})
                   .values_list("pk", flat=True))
        if ids:
            found[label] = [str(i) for i in ids]
    return found


def subject_claims(*, subject: Subject) -> models.QuerySet[Claim]:
    """Return the person's claims."""
    return Claim.objects.filter(subject=subject)


def subject_claim_emails(*, subject: Subject) -> set[str]:
    """Return the addresses the person gave on their claims (not the erased placeholders)."""
    return {email_normalise(e) for e in subject_claims(subject=subject)
            .values_list("email", flat=True) if e and not e.endswith(".invalid")}


def depth(entry: ModelMap) -> int:
    """How many relations lie between a model and the person (children are deeper)."""
    path = entry.subject if entry.subject is not None else entry.email or ""
    return path.count("__") + (1 if path else 0)


def claim_path(entry: ModelMap) -> str | None:
    """Return the ORM path from a model to its claim's id, if its rows belong to a claim."""
    if entry.model == "claims.Claim":
        return "pk"
    if not entry.subject or not entry.subject.endswith("claim__subject"):
        return None
    to_claim = entry.subject[: -len("__subject")]
    return f"{to_claim}_id" if to_claim == "claim" else f"{to_claim}__id"


def subject_querysets(*, subject: Subject, rows_by_email: EmailRows | None = None
                      ) -> list[tuple[ModelMap, models.QuerySet[Any]]]:
    """Return every mapped row about a person per model, children before parents."""
    # ``rows_by_email`` adds rows kept by address that the person's claims do not lead to (those
    # of the address a request came from).
    by_email = dict(rows_by_email or {})
    for label, ids in email_rows(emails=subject_claim_emails(subject=subject)).items():
        by_email[label] = sorted({*by_email.get(label, []), *ids})
    out = []
    for entry in sorted(datamap().values(), key=lambda e: (-depth(e), e.model)):
        if not any(d.of == "subject" for d in entry.personal_fields().values()):
            continue
        model = apps.get_model(entry.model)
        if entry.subject is not None:
            lookup = "pk" if entry.subject == "" else entry.subject
            qs = model._default_manager.filter(**{lookup: subject.pk})
        elif entry.email is not None:
            qs = model._default_manager.filter(pk__in=by_email.get(entry.model, []))
        else:
            continue
        out.append((entry, qs))
    return out
