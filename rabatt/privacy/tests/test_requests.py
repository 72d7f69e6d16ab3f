"""Rights requests: one table of statuses, e-mails through the outbox with no secret stored,
unknown addresses stay unknown, and a link is used only together with what it asks for."""

from __future__ import annotations

import json

import pytest

from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import DomainError
from rabatt.core.tokens import token_hash
from rabatt.notifications.models import OutboundEmail
from rabatt.privacy import requests
from rabatt.privacy.emails import request_dedup_key
from rabatt.privacy.models import AuditEntry, PrivacyRequest, RequestStatus, Subject
from rabatt.privacy.requests import privacy_request_confirm, privacy_request_create
from rabatt.privacy.tests.factories import EMAIL
from rabatt.privacy.transitions import ANSWERED, DECIDABLE, TRANSITIONS


def test_the_table_names_every_status():
    assert TRANSITIONS.states() == set(RequestStatus.values)
    assert set(ANSWERED) == {RequestStatus.DONE, RequestStatus.REFUSED}
    assert set(DECIDABLE) == {RequestStatus.QUEUED}


def test_the_link_goes_through_the_outbox_and_only_its_hash_is_stored(
        subject, campaign, smtp, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://rabatt.example"
    claim_factory(campaign, status="in_review", email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        token = privacy_request_create(email=EMAIL.upper(), kind="access", locale="nb")
    assert token
    request = PrivacyRequest.objects.get()
    assert request.token_hash == token_hash(token)
    row = OutboundEmail.objects.get(dedup_key=request_dedup_key(request_id=request.pk))
    assert (row.kind, row.to, row.locale, row.status) == ("privacy.request_link", EMAIL, "nb",
                                                          "sent")
    # Neither the outbox nor the request holds the secret: reading the database opens nothing.
    assert token not in json.dumps(row.context)
    assert token not in json.dumps(request.outcome)
    assert len(smtp.messages) == 1
    text = smtp.text()
    assert f"https://rabatt.example/privacy/{token}\r\n" in text
    # Rendered when sent, in the person's language.
    assert "har bedt oss om: Innsyn og kopi av mine data." in text


def test_asking_twice_from_an_unknown_address_creates_no_one(
        db, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert privacy_request_create(email="nobody@example.no", kind="access") is None
        assert privacy_request_create(email="nobody@example.no", kind="erasure") is None
    # Our own answers are not data that makes the address known.
    assert (Subject.objects.count(), PrivacyRequest.objects.count()) == (0, 0)
    rows = OutboundEmail.objects.filter(to="nobody@example.no")
    assert sorted(rows.values_list("kind", "status")) == [("privacy.request_unknown", "sent")] * 2
    assert len(smtp.messages) == 2
    assert all("no personal data" in smtp.text(i) for i in (0, 1))
    assert AuditEntry.objects.filter(action="rights_request_unknown").count() == 2


def test_erasure_removes_the_e_mails_sent_to_the_claim_addresses(subject, campaign):
    claim_factory(campaign, status="in_review", email=EMAIL.upper())
    claim_factory(campaign, status="in_review", email="someone@example.no")
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {EMAIL,
                                                                       "someone@example.no"}
    about_claim = OutboundEmail.objects.filter(to=EMAIL).count()
    others = OutboundEmail.objects.exclude(to=EMAIL).count()
    token = privacy_request_create(email=EMAIL, kind="erasure")
    assert token

    answer = privacy_request_confirm(token=token)

    # The claim's e-mails and the request's link.
    assert answer["done"]["deleted"]["notifications.OutboundEmail"] == about_claim + 1
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"someone@example.no"}
    assert OutboundEmail.objects.count() == others


def test_a_failed_erasure_leaves_the_link_usable(subject, campaign, monkeypatch):
    claim_factory(campaign, status="in_review", email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="erasure")
    assert token

    def fails(**kwargs):
        raise DomainError("disk full", code="io_error")

    monkeypatch.setattr(requests, "subject_erase", fails)
    with pytest.raises(DomainError):
        privacy_request_confirm(token=token)
    request = PrivacyRequest.objects.get()
    assert (request.status, request.confirmed_at) == (RequestStatus.AWAITING_CONFIRMATION, None)

    monkeypatch.undo()
    assert privacy_request_confirm(token=token)["status"] == "done"
    subject.refresh_from_db()
    assert subject.erased_at is not None
    assert AuditEntry.objects.filter(action="rights_erasure_done").count() == 1


def test_the_export_speaks_the_language_the_person_asked_in(subject, campaign):
    import io
    import zipfile

    from django.utils import translation

    claim_factory(campaign, status="in_review", email=EMAIL)
    token = privacy_request_create(email=EMAIL, kind="access", locale="de")
    assert token is not None
    with translation.override("en"):  # the page that hands it over may be in any language
        _name, blob = requests.access_request_export(token=token)
    document = json.loads(zipfile.ZipFile(io.BytesIO(blob)).read("data.json"))
    assert document["language"] == "de"
    assert document["about"].startswith("Alles, was Rabatt über dich gespeichert hat:")
