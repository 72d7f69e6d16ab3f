"""Rectification (GDPR Art. 16): contact details on every claim, bank details before payout
through ``claim_bank_rectify`` (validated, sealed, events, e-mail, back to review)."""

from __future__ import annotations

import json

import pytest

from rabatt.claims.models import BankDetails, Claim, ClaimEvent
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import DomainError
from rabatt.privacy.audit import audit_verify
from rabatt.privacy.models import AuditEntry, PrivacyRequest, RequestStatus
from rabatt.privacy.rectification import BankCorrection, rectification_apply
from rabatt.privacy.requests import privacy_request_create
from rabatt.privacy.subjects import subject_unseal
from rabatt.privacy.tests.factories import EMAIL, IBAN

NEW_IBAN = "NO8330001234567"


def _state(claim: Claim) -> tuple:
    claim.refresh_from_db()
    bank = BankDetails.objects.get(claim=claim)
    return (claim.status, claim.phone, claim.city, bytes(bank.sealed), bank.masked,
            ClaimEvent.objects.filter(claim=claim).count())


def test_contact_on_every_claim_and_bank_back_to_review(subject, campaign, smtp,
                                                        django_capture_on_commit_callbacks):
    approved = claim_factory(campaign, status="approved", email=EMAIL)
    other = claim_factory(campaign, status="paid", city="Bergen", email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="rectification")
    assert token
    before = len(smtp.messages)
    with django_capture_on_commit_callbacks(execute=True):
        done = rectification_apply(
            token=token, contact={"phone": " +47 400 00 000 ", "city": "Bergen", "email": "x"},
            bank=BankCorrection(claim_id=approved.pk, account_holder="Kari Nordmann",
                                iban=NEW_IBAN))

    assert done["contact_fields"] == ["city", "phone"]
    assert done["bank_claim"] == approved.reference
    assert done["claim_status"] == "in_review"
    approved.refresh_from_db()
    other.refresh_from_db()
    assert (approved.phone, approved.city) == ("+47 400 00 000", "Bergen")
    assert (other.phone, other.city, other.status) == ("+47 400 00 000", "Bergen", "paid")
    assert approved.email == EMAIL  # not a contact field that can be rectified here
    plain = json.loads(subject_unseal(subject, bytes(BankDetails.objects.get(
        claim=approved).sealed)))
    assert plain["iban"] == NEW_IBAN
    # One contact event per claim that changed, naming fields only; the bank events of claims.
    contact = ClaimEvent.objects.filter(kind="rectify_contact").order_by("claim_id")
    assert [(e.claim_id, e.actor_type, e.data) for e in contact] == [
        (approved.pk, "consumer", {"corrected": ["city", "phone"]}),
        (other.pk, "consumer", {"corrected": ["phone"]}),
    ]
    kinds = list(ClaimEvent.objects.filter(claim=approved).values_list("kind", "to_status"))
    assert ("bank_details_changed", "") in kinds
    assert ("rectify_bank", "in_review") in kinds
    assert len(smtp.messages) == before + 1  # the bank change is e-mailed to the claimant
    request = PrivacyRequest.objects.get()
    assert request.status == RequestStatus.DONE
    assert request.confirmed_at is not None
    assert AuditEntry.objects.filter(action="rectify_contact").count() == 2
    assert AuditEntry.objects.filter(action="rectify_bank", claim_id=approved.pk).count() == 1
    assert audit_verify() == []
    # The link worked once.
    with pytest.raises(DomainError) as again:
        rectification_apply(token=token, contact={"city": "Oslo"})
    assert again.value.status == 410
    assert Claim.objects.get(pk=other.pk).city == "Bergen"


@pytest.mark.parametrize(("status", "iban", "code"), [
    ("paid", NEW_IBAN, "bank_locked"),
    ("in_review", "NO00 1234", "iban_invalid_length"),
])
def test_refused_bank_correction_changes_nothing_and_keeps_the_link(subject, campaign, smtp,
                                                                    status, iban, code):
    claim = claim_factory(campaign, status=status, email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="rectification")
    assert token
    before = _state(claim)
    with pytest.raises(DomainError) as refused:
        rectification_apply(token=token, contact={"city": "Tromsø"},
                            bank=BankCorrection(claim_id=claim.pk, account_holder="Kari",
                                                iban=iban))
    assert refused.value.code == code
    assert _state(claim) == before
    request = PrivacyRequest.objects.get()
    assert request.confirmed_at is None
    assert request.status == RequestStatus.AWAITING_CONFIRMATION
    assert json.loads(subject_unseal(subject, before[3]))["iban"] == IBAN


def test_restricted_person_cannot_rectify(subject, campaign, smtp):
    from rabatt.privacy.restriction import subject_restrict

    claim = claim_factory(campaign, status="in_review", email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="rectification")
    assert token
    subject_restrict(subject=subject)
    before = _state(claim)
    with pytest.raises(DomainError) as refused:
        rectification_apply(token=token, contact={"city": "Tromsø"})
    assert refused.value.code == "processing_restricted"
    assert _state(claim) == before
    assert PrivacyRequest.objects.get().confirmed_at is None


def test_bank_correction_while_the_payment_is_at_the_bank_changes_nothing(subject, campaign,
                                                                         smtp):
    from rabatt.payouts.models import Payment
    from rabatt.privacy.tests.factories import FACTORIES

    claim = claim_factory(campaign, status="approved", email=EMAIL)
    FACTORIES["payouts.Payment"](subject, claim, {"status": "sent"})
    token = privacy_request_create(email=EMAIL, kind="rectification")
    assert token
    before = _state(claim)
    with pytest.raises(DomainError) as refused:
        rectification_apply(token=token, contact={"city": "Tromsø"},
                            bank=BankCorrection(claim_id=claim.pk, account_holder="Kari",
                                                iban=NEW_IBAN))
    assert refused.value.code == "payment_in_flight"
    # The contact part, the link and the request roll back with the refused bank part.
    assert _state(claim) == before
    request = PrivacyRequest.objects.get()
    assert (request.confirmed_at, request.status) == (None, RequestStatus.AWAITING_CONFIRMATION)
    assert not ClaimEvent.objects.filter(kind="rectify_contact").exists()
    assert Payment.objects.get().status == "sent"
