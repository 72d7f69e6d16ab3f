"""The consent ledger, unsubscribe (RFC 8058 one-click), objection and partner exports."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rabatt.claims.services import claim_mark_paid
from rabatt.claims.tests.factories import claim_factory
from rabatt.core import crypto
from rabatt.notifications.models import OutboundEmail, Suppression
from rabatt.notifications.services import email_queue
from rabatt.privacy.consent import (
    NOTICE_VERSION,
    consent_given,
    consent_record,
    marketing_allowed,
    unsubscribe_path,
)
from rabatt.privacy.export import subject_export
from rabatt.privacy.models import AuditEntry, Consent, Subject
from rabatt.privacy.partners import partner_email_hash, partner_export
from rabatt.privacy.requests import privacy_request_confirm, privacy_request_create
from rabatt.privacy.restriction import subject_restrict
from rabatt.privacy.subjects import subject_for_email
from rabatt.privacy.tests.factories import EMAIL


def test_ledger_given_withdrawn_and_exported(subject):
    assert consent_given(subject=subject, purpose="marketing") is None
    consent_record(subject=subject, purpose="marketing", given=True, notice_version="2025-08",
                   source="claim_form")
    assert consent_given(subject=subject, purpose="marketing") is True
    assert marketing_allowed(subject=subject)
    consent_record(subject=subject, purpose="marketing", given=False,
                   notice_version="2025-08", source="unsubscribe_link")
    assert consent_given(subject=subject, purpose="marketing") is False
    assert not marketing_allowed(subject=subject)
    # Append-only: both choices stay, the latest counts.
    assert list(Consent.objects.values_list("given", "source")) == [
        (True, "claim_form"), (False, "unsubscribe_link")]
    document, _files = subject_export(subject=subject)
    exported = document["data"]["privacy.Consent"]
    assert [(r["purpose"], r["given"], r["notice_version"]) for r in exported] == [
        ("marketing", True, "2025-08"), ("marketing", False, "2025-08")]


def test_restricted_person_can_withdraw_but_not_give(subject):
    from rabatt.core.errors import DomainError

    subject_restrict(subject=subject)
    with pytest.raises(DomainError):
        consent_record(subject=subject, purpose="marketing", given=True, notice_version="1",
                       source="claim_form")
    assert Consent.objects.count() == 0
    consent_record(subject=subject, purpose="marketing", given=False, notice_version="1",
                   source="privacy_request")
    assert consent_given(subject=subject, purpose="marketing") is False


def test_marketing_headers_and_one_click_unsubscribe(subject, campaign, smtp, settings,
                                                     django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://t"
    # The person ticked the marketing box on the claim form.
    claim = claim_factory(campaign, status="approved", email=EMAIL, marketing_consent=True)
    path = unsubscribe_path(subject=subject)
    # By address: the same person, the same link, no new person.
    assert unsubscribe_path(subject=subject_for_email(email=EMAIL.upper())) == path
    assert Subject.objects.count() == 1

    # A marketing e-mail queued through the outbox carries the RFC 8058 headers.
    with django_capture_on_commit_callbacks(execute=True):
        queued = email_queue(
            kind="marketing.news", dedup_key=f"test-marketing:{subject.pk}", to=EMAIL,
            template="claims/email/claim_event",
            context={"kind": "submitted", "reference": claim.reference, "first_name": "Kari",
                     "reasons": [], "message": "", "answer_token": ""},
            marketing=True, unsubscribe_path=path)
    assert queued is not None
    assert OutboundEmail.objects.get(pk=queued.pk).status == "sent"
    sent = smtp.messages[-1]
    assert sent["To"] == EMAIL
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<http://t(/privacy/unsubscribe/[^/]+/)>", sent["List-Unsubscribe"])
    assert match
    url = match.group(1)
    assert url == path

    # GET shows a confirm page and changes nothing (mail scanners follow links).
    page = Client().get(url)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert consent_given(subject=subject, purpose="marketing") is True

    # The mail client's one-click POST: no session, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    done = client.post(url, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert b"data-unsubscribed" in done.content
    assert consent_given(subject=subject, purpose="marketing") is False
    assert not marketing_allowed(subject=subject)
    assert client.post(url).status_code == 200  # idempotent
    assert Consent.objects.filter(given=False).count() == 1
    assert AuditEntry.objects.filter(action="consent_withdrawn").count() == 1
    # Marketing already queued to the address is not sent any more.
    assert list(Suppression.objects.values_list("email_normalised", "reason")) == [
        (EMAIL.lower(), "unsubscribed")]

    # A forged link is refused and changes nothing.
    assert client.post("/privacy/unsubscribe/forged/").status_code == 404
    assert Consent.objects.count() == 2

    # Service e-mails still go.
    before = len(smtp.messages)
    with django_capture_on_commit_callbacks(execute=True):
        claim_mark_paid(claim_id=claim.pk)
    assert len(smtp.messages) == before + 1
    assert smtp.messages[-1]["To"] == EMAIL


def test_objection_withdraws_consents_and_suppresses(subject, campaign, smtp):
    claim_factory(campaign, status="in_review", email=EMAIL)
    for purpose in ("marketing", "partner_advertising"):
        consent_record(subject=subject, purpose=purpose, given=True, notice_version="1",
                       source="claim_form")
    token = privacy_request_create(email=EMAIL, kind="objection")
    assert token
    answer = privacy_request_confirm(token=token)
    assert answer["done"] == {"consents_withdrawn": ["marketing", "partner_advertising"],
                              "objected": True, "suppressed": 1}
    subject.refresh_from_db()
    assert subject.objected_at is not None
    assert subject.restricted_at is None  # objection is not restriction: claims go on
    assert consent_given(subject=subject, purpose="partner_advertising") is False
    assert not marketing_allowed(subject=subject)
    assert Suppression.objects.filter(email_normalised=EMAIL).exists()
    # The claim form recorded its own unticked box; the objection's rows come from the request.
    rows = Consent.objects.filter(given=False).exclude(source="claim_form")
    assert sorted((r.purpose, r.source, r.notice_version) for r in rows) == [
        ("marketing", "privacy_request", NOTICE_VERSION),
        ("partner_advertising", "privacy_request", NOTICE_VERSION)]


def _consenting(campaign, email: str, *choices: bool) -> Subject:
    subject = subject_for_email(email=email)
    claim_factory(campaign, status="in_review", email=email)
    for given in choices:
        consent_record(subject=subject, purpose="partner_advertising", given=given,
                       notice_version="1", source="claim_form")
    return subject


def test_partner_export_keyed_hashes_of_consenting_people_only(campaign, tmp_path):
    _consenting(campaign, "yes@example.no", True)
    _consenting(campaign, "never@example.no")
    _consenting(campaign, "withdrew@example.no", True, False)
    restricted = _consenting(campaign, "restricted@example.no", True)
    subject_restrict(subject=restricted)
    marketing_only = subject_for_email(email="marketing@example.no")
    claim_factory(campaign, status="in_review", email="marketing@example.no")
    consent_record(subject=marketing_only, purpose="marketing", given=True, notice_version="1",
                   source="claim_form")

    one = partner_export(partner="acme", campaign_slug=campaign.slug)
    two = partner_export(partner="globex", campaign_slug=campaign.slug)
    assert len(one) == len(two) == 1
    assert one != two  # a key per partner: their lists cannot be matched
    key = (crypto.keys_dir() / "partner-acme.key").read_bytes()
    assert one == [hmac.new(key, b"yes@example.no", hashlib.sha256).hexdigest()]
    assert one[0] != hashlib.sha256(b"yes@example.no").hexdigest()  # not an unkeyed hash
    assert partner_email_hash(partner="acme", email=" YES@example.no") == one[0]

    out = tmp_path / "acme.txt"
    call_command("privacy", "partner-export", "acme", "--campaign", campaign.slug,
                 "--out", str(out))
    text = out.read_text()
    assert text == one[0] + "\n"
    assert "@" not in text
    with pytest.raises(CommandError):
        call_command("privacy", "partner-export", "../etc", "--campaign", campaign.slug,
                     "--out", str(tmp_path / "bad.txt"))
    assert not (tmp_path / "bad.txt").exists()
    assert AuditEntry.objects.filter(action="partner_export").count() == 3


def test_the_cookie_page_says_what_the_necessary_cookies_do(client) -> None:
    page = client.get("/privacy/cookies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The wizard's device cookie is among them: the visitor is told it guards against fraud.
    assert ("Keep you signed in, protect forms, guard claims against fraud and remember this "
            "choice. Always on.") in page
