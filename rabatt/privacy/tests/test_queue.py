"""Requests that need a person: an erasure while a payment is in flight goes to the privacy
officer's queue with its one-month deadline; only the privacy officer sees and decides it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import formats, timezone

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import DomainError
from rabatt.privacy.models import PrivacyRequest, RequestStatus, Subject
from rabatt.privacy.requests import (
    privacy_request_confirm,
    privacy_request_create,
    privacy_request_decide,
)
from rabatt.privacy.tests.factories import EMAIL
from rabatt.review.tests.factories import staff_user, verified_client


def _queued(subject, campaign, status: str) -> tuple[Claim, PrivacyRequest]:
    claim = claim_factory(campaign, status=status, email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="erasure")
    assert token
    answer = privacy_request_confirm(token=token)
    assert answer["status"] == "queued"
    return claim, PrivacyRequest.objects.get()


def _unchanged(subject: Subject, claim: Claim, request: PrivacyRequest) -> None:
    subject.refresh_from_db()
    claim.refresh_from_db()
    request.refresh_from_db()
    assert subject.erased_at is None
    assert subject.wrapped_key
    assert (claim.first_name, claim.email) == ("Kari", EMAIL)
    assert request.status == RequestStatus.QUEUED
    assert request.handled_by is None


@pytest.mark.parametrize("status", ["approved", "payment_failed"])
def test_in_flight_erasure_is_queued_with_the_deadline(subject, campaign, smtp, officer,
                                                       status):
    claim, request = _queued(subject, campaign, status)
    assert request.due_at - request.created_at == timedelta(days=30)
    _unchanged(subject, claim, request)

    page = verified_client(officer).get("/privacy/staff/")
    assert page.status_code == 200
    html = page.content.decode()
    due = formats.date_format(timezone.localtime(request.due_at), "DATETIME_FORMAT")
    assert f"/privacy/staff/{request.pk}/" in html
    assert f"<td data-due>{due}" in html


def test_only_the_privacy_officer_sees_and_decides(subject, campaign, smtp, client,
                                                   django_user_model):
    claim, request = _queued(subject, campaign, "approved")
    url = f"/privacy/staff/{request.pk}/"

    # Anonymous and non-staff visitors are sent to the staff login.
    assert client.get("/privacy/staff/").status_code == 302
    plain = django_user_model.objects.create_user("someone", "someone@example.no", "pw")
    client.force_login(plain)
    refused = client.post(url, {"decision": "erase"})
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/")
    # Staff with another role are refused.
    agent = verified_client(staff_user("agent", "agent@rabatt.test"))
    assert agent.get("/privacy/staff/").status_code == 403
    assert agent.post(url, {"decision": "erase"}).status_code == 403
    with pytest.raises(DomainError) as denied:
        privacy_request_decide(request_id=request.pk, actor=plain, erase=True)
    assert denied.value.code == "permission_denied"
    _unchanged(subject, claim, request)


def test_officer_erases_keeping_the_in_flight_claim_pseudonymised(subject, campaign, smtp,
                                                                  officer):
    claim, request = _queued(subject, campaign, "approved")
    response = verified_client(officer).post(f"/privacy/staff/{request.pk}/",
                                             {"decision": "erase", "note": "payment stopped"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert request.handled_by == officer
    assert request.outcome["kept_claims"] == 1
    claim.refresh_from_db()
    assert (claim.first_name, claim.email, claim.phone) == ("—", "erased@erased.invalid", "")
    subject.refresh_from_db()
    assert subject.erased_at is not None
    assert subject.wrapped_key is None
    # Decided once: a second decision is refused.
    with pytest.raises(DomainError) as again:
        privacy_request_decide(request_id=request.pk, actor=officer, erase=False)
    assert again.value.code == "not_queued"
