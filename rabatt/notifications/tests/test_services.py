"""The outbox: queued with its cause, sent once, retried with backoff, never under a lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings

from rabatt.claims.models import ClaimStatus
from rabatt.claims.services import claim_approve
from rabatt.claims.tests.factories import claim_factory, factory_staff
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import EmailStatus, OutboundEmail, Suppression
from rabatt.notifications.services import (
    LEASE,
    email_queue,
    email_send,
    outbox_sweep,
    suppression_add,
)
from rabatt.notifications.tests.smtp import Inbox, smtp_server

# Tasks are recorded, not run: each test sends when it chooses to.
QUIET_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend",
                           "QUEUES": ["default", "email", "receipts"]}}


def queue(**changes: Any) -> OutboundEmail | None:
    fields: dict[str, Any] = {
        "kind": "test.hello", "dedup_key": "test:1", "to": "Ingrid.B@Example.no",
        "template": "claims/email/claim_event",
        "context": {"kind": "submitted", "reference": "RB-AAAA-BBBB", "first_name": "Ingrid",
                    "reasons": [], "message": "", "answer_token": ""},
        "locale": "nb"}
    return email_queue(**(fields | changes))


@pytest.fixture
def quiet() -> Iterator[None]:
    with override_settings(TASKS=QUIET_TASKS):
        yield


@pytest.mark.django_db
def test_queued_in_a_transaction_that_rolls_back_sends_nothing(quiet):
    def cause_that_fails() -> None:
        with transaction.atomic():
            queue()
            raise RuntimeError("the cause failed")

    with pytest.raises(RuntimeError):
        cause_that_fails()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_one_row_per_deduplication_key(quiet):
    first = queue()
    assert first is not None
    assert queue(to="someone@else.example") is None
    row = OutboundEmail.objects.get()
    assert (row.to, row.status, row.locale) == ("ingrid.b@example.no", "pending", "nb")


@pytest.mark.django_db
def test_sent_once_in_its_language_then_skipped(quiet, smtp):
    row = queue()
    assert row is not None
    assert email_send(email_id=row.pk) == "sent"
    assert email_send(email_id=row.pk) == "skipped"
    assert len(smtp.messages) == 1
    assert smtp.subjects() == ["Vi har mottatt søknaden din RB-AAAA-BBBB"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until) == ("sent", 1, None)
    assert smtp.messages[0]["Message-ID"] == row.message_id


@pytest.mark.django_db
def test_a_refused_send_is_retried_after_a_backoff(quiet, smtp):
    row = queue()
    assert row is not None
    smtp.refuse = True
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert email_send(email_id=row.pk) == "retry"
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == utcnow() + timedelta(seconds=30)
        smtp.refuse = False
        assert email_send(email_id=row.pk) == "skipped"  # not due yet
        clock.shift(timedelta(seconds=31))
        assert email_send(email_id=row.pk) == "sent"
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_a_crashed_senders_row_is_taken_over_after_its_lease(quiet, smtp):
    row = queue()
    assert row is not None
    # A sender claimed the row and died before it could record anything.
    OutboundEmail.objects.filter(pk=row.pk).update(status=EmailStatus.SENDING,
                                                   lease_until=utcnow() + LEASE)
    assert email_send(email_id=row.pk) == "skipped"
    assert outbox_sweep() == 0
    with time_machine.travel(utcnow() + LEASE + timedelta(seconds=1), tick=False):
        assert outbox_sweep() == 1
        assert email_send(email_id=row.pk) == "sent"
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_marketing_to_a_suppressed_address_is_not_sent(quiet, smtp):
    row = queue(marketing=True, unsubscribe_path="/privacy/unsubscribe/token/")
    other = queue(dedup_key="test:2", marketing=True)
    assert row is not None
    assert other is not None
    suppression_add(email="INGRID.B@example.no", reason="unsubscribed", detail="link")
    assert Suppression.objects.get().email_normalised == "ingrid.b@example.no"
    assert email_send(email_id=row.pk) == "skipped"  # suppressed as it was added
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"suppressed"}
    assert smtp.messages == []


@pytest.mark.django_db
def test_marketing_carries_one_click_unsubscribe_headers(quiet, smtp, settings):
    settings.SITE_URL = "https://rabatt.example"
    row = queue(marketing=True, unsubscribe_path="/privacy/unsubscribe/abc/")
    assert row is not None
    assert email_send(email_id=row.pk) == "sent"
    message = smtp.messages[0]
    assert message["List-Unsubscribe"] == "<https://rabatt.example/privacy/unsubscribe/abc/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# -- a hung SMTP server ---------------------------------------------------------------------


class HungInbox(Inbox):
    """An SMTP server that accepts the connection, then hangs in DATA until released."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.entered.set()
        # Blocks the server's own thread: the client waits, as on a hung relay.
        self.release.wait(60)
        return await super().handle_DATA(server, session, envelope)


def in_thread(work: Any) -> threading.Thread:
    """Run ``work`` in a thread with its own database connection, closed when it ends."""
    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_hung_smtp_server_does_not_block_an_agents_decision_on_the_same_claim(campaign):
    """The sender claims its row and commits before it talks to the server, so the claim row is
    not locked while the SMTP call hangs; the agent's approval goes through meanwhile."""
    inbox = HungInbox()
    with override_settings(TASKS=QUIET_TASKS):
        claim = claim_factory(campaign, status="in_review")
        staff = factory_staff()
        row = OutboundEmail.objects.get(kind="claim.submitted")
        with smtp_server(inbox) as (_inbox, mailers), override_settings(MAILERS=mailers):
            results: dict[str, Any] = {}
            sender = in_thread(lambda: results.update(sent=email_send(email_id=row.pk)))
            assert inbox.entered.wait(30), "the sender never reached the SMTP server"
            decision = in_thread(lambda: results.update(
                decided=claim_approve(claim_id=claim.pk, actor=staff).status))
            decision.join(30)  # a guard against a deadlock, not a timing
            finished_while_hung = not decision.is_alive()
            inbox.release.set()
            decision.join()
            sender.join(30)
    assert finished_while_hung
    assert results == {"decided": ClaimStatus.APPROVED, "sent": "sent"}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert list(claim.events.values_list("kind", flat=True)) == [
        "submitted", "start_review", "approve"]
    assert len(inbox.messages) == 1
