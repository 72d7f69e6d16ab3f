"""POST /privacy/requests answers 202 for everyone; the e-mailed link exports or confirms once."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.cache import cache
from django.test import override_settings

from rabatt.claims.tests.factories import claim_factory
from rabatt.notifications.tests.smtp import smtp_server
from rabatt.privacy.audit import audit_verify
from rabatt.privacy.models import AuditEntry, PrivacyRequest, Subject
from rabatt.privacy.subjects import subject_for_email
from rabatt.privacy.tests.factories import EMAIL, IBAN
from rabatt.privacy.tests.factories import example_campaign as campaign_factory

# The e-mails leave through the outbox once their request commits: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def rate_limits():
    # The counters live in the cache table, which a transactional test does not roll back.
    cache.clear()


@pytest.fixture
def inbox():
    with smtp_server() as (inbox, mailers), override_settings(MAILERS=mailers,
                                                              SITE_URL="http://t"):
        yield inbox


def _token(inbox) -> str:
    match = re.search(r"http://t/privacy/(\S+)", inbox.text())
    assert match
    return match.group(1)


def test_unknown_and_known_addresses_get_the_same_answer(client, inbox):
    claim_factory(campaign_factory(), status="in_review", email=EMAIL)
    before = len(inbox.messages)  # the claim's own confirmation
    known = client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "access"},
                        content_type="application/json")
    unknown = client.post("/api/v1/privacy/requests",
                          {"email": "nobody@example.no", "kind": "access"},
                          content_type="application/json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert PrivacyRequest.objects.count() == 1
    assert Subject.objects.count() == 1  # asking creates no one
    assert len(inbox.messages) == before + 2
    assert "no personal data" in inbox.text(-1)


def test_access_export_works_once(client, inbox):
    claim = claim_factory(campaign_factory(), status="in_review", email=EMAIL)
    client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "access"},
                content_type="application/json")
    token = _token(inbox)
    response = client.get(f"/api/v1/privacy/requests/{token}/export")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["data"]["claims.Claim"][0]["email"] == EMAIL
    assert data["bank_details"][0]["iban"] == IBAN
    assert archive.read(data["files"][0]["path"])[:2] == b"\xff\xd8"  # the JPEG, decrypted
    assert claim.reference in data["files"][0]["path"]
    again = client.get(f"/api/v1/privacy/requests/{token}/export")
    assert again.status_code == 410
    assert client.get("/api/v1/privacy/requests/nope/export").status_code == 404
    assert audit_verify() == []
    assert AuditEntry.objects.filter(action="rights_access_done").count() == 1


def test_erasure_confirm_and_queue(client, inbox):
    subject = subject_for_email(email=EMAIL)
    campaign = campaign_factory()
    claim_factory(campaign, status="approved", email=EMAIL)
    client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "erasure"},
                content_type="application/json")
    response = client.post(f"/api/v1/privacy/requests/{_token(inbox)}/confirm")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    subject.refresh_from_db()
    assert subject.erased_at is None  # a payment is in flight: a person decides


def test_rate_limited(client, inbox):
    for _ in range(3):
        client.post("/api/v1/privacy/requests", {"email": "a@example.no", "kind": "access"},
                    content_type="application/json")
    response = client.post("/api/v1/privacy/requests", {"email": "a@example.no",
                                                        "kind": "access"},
                           content_type="application/json")
    assert response.status_code == 429


def test_rate_limit_refuses_without_side_effects(client, inbox):
    claim_factory(campaign_factory(), status="in_review", email=EMAIL)
    for _ in range(3):
        assert client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "access"},
                           content_type="application/json").status_code == 202
    requests, mails = PrivacyRequest.objects.count(), len(inbox.messages)
    refused = client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "erasure"},
                          content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert (PrivacyRequest.objects.count(), len(inbox.messages)) == (requests, mails)


def test_invalid_input_is_422_and_stores_nothing(client, inbox):
    for body in ({"email": "not-an-address", "kind": "access"},
                 {"email": EMAIL, "kind": "everything"}):
        response = client.post("/api/v1/privacy/requests", body,
                               content_type="application/json")
        assert response.status_code == 422
    assert PrivacyRequest.objects.count() == 0
    assert inbox.messages == []


def test_restriction_confirm_works_once_and_services_refuse(client, inbox):
    from rabatt.claims.models import Claim
    from rabatt.claims.services import claim_start_review
    from rabatt.core.errors import DomainError

    claim = claim_factory(campaign_factory(), status="submitted", email=EMAIL)
    client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "restriction"},
                content_type="application/json")
    token = _token(inbox)
    # A restriction link is not an export link.
    wrong = client.get(f"/api/v1/privacy/requests/{token}/export")
    assert wrong.status_code == 409
    response = client.post(f"/api/v1/privacy/requests/{token}/confirm")
    assert response.status_code == 200
    assert response.json() == {"kind": "restriction", "status": "done",
                               "done": {"restricted": True, "already": False},
                               "due_at": None, "message": None}
    again = client.post(f"/api/v1/privacy/requests/{token}/confirm")
    assert again.status_code == 410
    with pytest.raises(DomainError) as refused:
        claim_start_review(claim_id=claim.pk, actor=None)
    assert refused.value.code == "processing_restricted"
    assert Claim.objects.get(pk=claim.pk).status == "submitted"


def test_links_expire(client, inbox):
    from datetime import timedelta

    import time_machine

    from rabatt.core.timeutil import utcnow

    subject = subject_for_email(email=EMAIL)
    claim_factory(campaign_factory(), status="in_review", email=EMAIL)
    client.post("/api/v1/privacy/requests", {"email": EMAIL, "kind": "erasure"},
                content_type="application/json")
    token = _token(inbox)
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1), tick=False):
        expired = client.post(f"/api/v1/privacy/requests/{token}/confirm")
        page = client.get(f"/privacy/{token}")
    assert expired.status_code == 410
    assert expired.json()["code"] == "link_expired"
    assert page.status_code == 410
    subject.refresh_from_db()
    assert subject.erased_at is None
    assert PrivacyRequest.objects.get().confirmed_at is None
