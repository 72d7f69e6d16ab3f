"""The data map covers every field, and each declared personal field survives the rights:
its value is in the access export, gone or pseudonymised after erasure, and not processed
while restricted. Generated from the data map: a new personal field is tested automatically."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BinaryField

from rabatt.claims.models import Claim
from rabatt.claims.selectors import claim_for_tracker
from rabatt.claims.services import claim_approve
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import DomainError, NotFound
from rabatt.privacy.classification import (
    RETENTION,
    Erasure,
    datamap,
    datamap_problems,
    name_looks_personal,
    personal_field_rows,
)
from rabatt.privacy.erasure import subject_erase
from rabatt.privacy.export import subject_export
from rabatt.privacy.holdings import email_rows
from rabatt.privacy.models import Subject
from rabatt.privacy.restriction import subject_restrict
from rabatt.privacy.retention import RULES
from rabatt.privacy.subjects import subject_ensure_processable, subject_for_email
from rabatt.privacy.tests.factories import EMAIL, FACTORIES, IBAN


def test_every_field_of_every_model_is_classified():
    assert datamap_problems() == []


def test_names_that_look_personal_are_flagged():
    assert name_looks_personal("email_canonical")
    assert name_looks_personal("ip_prefix")
    assert name_looks_personal("date_of_birth")
    assert not name_looks_personal("status")


def test_every_retention_rule_applied_by_the_task_is_implemented():
    assert {c for c, r in RETENTION.items() if r.applied_by == "task"} == set(RULES)


CASES = [pytest.param(entry.model, name, id=f"{entry.model}.{name}")
         for entry, name, decl in personal_field_rows()
         if decl.of == "subject" and (entry.subject is not None or entry.email is not None)]


# Sealed fields: where the access export shows them decrypted (None: a key, nothing to show).
SEALED_IN_EXPORT = {
    "claims.BankDetails.sealed": lambda d: d["bank_details"][0]["iban"],
    "payouts.Payment.creditor_sealed": lambda d: d["payments"][0]["creditor"]["account"]["iban"],
    "privacy.Subject.wrapped_key": None,
}


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.mark.parametrize(("label", "name"), CASES)
def test_personal_field_access_erasure_restriction(label, name, campaign, staff):
    entry = datamap()[label]
    decl = entry.personal_fields()[name]
    assert label in FACTORIES, f"write a factory for {label} in privacy/tests/factories.py"
    subject = subject_for_email(email=EMAIL)
    # Paid: the claim is kept for accounting, so pseudonymisation is exercised too.
    claim = claim_factory(campaign, status="paid", email=EMAIL)
    values = {name: decl.sample} if decl.sample is not None else {}
    row = FACTORIES[label](subject, claim, values)
    row = type(row).objects.get(pk=row.pk)
    binary = isinstance(row._meta.get_field(name), BinaryField)
    expected = None if binary else _json(
        getattr(row, name if not hasattr(row, f"{name}_id") else f"{name}_id"))

    # Access: the value is in the export.
    document, _files = subject_export(subject=subject)
    if binary:
        where = f"{label}.{name}"
        assert where in SEALED_IN_EXPORT, f"say in SEALED_IN_EXPORT how the export shows {where}"
        shown = SEALED_IN_EXPORT[where]
        if shown is not None:
            assert shown(document) == IBAN
    else:
        rows = {str(r["id"]): r for r in _json(document["data"]).get(label, [])}
        assert str(row.pk) in rows, f"{label} row missing from the export"
        assert rows[str(row.pk)][name] == expected

    # Restriction: services refuse, and nothing changes.
    subject_restrict(subject=subject)
    with pytest.raises(DomainError):
        subject_ensure_processable(Subject.objects.get(pk=subject.pk))
    Claim.objects.filter(pk=claim.pk).update(status="in_review")
    with pytest.raises(DomainError) as refused:
        claim_approve(claim_id=claim.pk, actor=staff)
    assert refused.value.code == "processing_restricted"
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    Claim.objects.filter(pk=claim.pk).update(status="paid")

    # Erasure: gone, or pseudonymised as declared; the key is destroyed.
    subject_erase(subject=subject)
    subject.refresh_from_db()
    assert subject.wrapped_key is None
    assert subject.erased_at is not None
    model = type(row)
    left = model.objects.filter(pk=row.pk).first()
    if decl.erasure == Erasure.DELETE:
        assert left is None or (entry.email is not None
                                and not email_rows(emails={EMAIL}).get(label))
    elif decl.erasure == Erasure.PSEUDONYMISE and left is not None:
        value = getattr(left, name)
        assert (bytes(value) if binary else value) == decl.pseudonym
    elif decl.erasure == Erasure.SHRED and left is not None:
        assert not getattr(left, "wrapped_key", None)
    with pytest.raises(NotFound):
        claim_for_tracker(reference=claim.reference, email=EMAIL)
