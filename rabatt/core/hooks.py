"""The hook registry: how a lower layer tells higher ones what happened, without importing them.

Every topic and every subscriber is declared in :data:`SUBSCRIBERS`, in this one place, as dotted
paths: ``core`` never imports the apps above it, and a reader sees at a glance who reacts to
what. No Django signals: a publisher calls :func:`publish` explicitly.

Subscribers run synchronously, inside the publisher's transaction, in the order listed. What
they record (an outbox row, a task row, a pending reading) therefore commits or rolls back with
its cause; anything slow or external they defer with ``transaction.on_commit`` or a task. A
subscriber may refuse by raising a :class:`~rabatt.core.errors.DomainError` (a veto topic).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

SUBSCRIBERS: dict[str, tuple[str, ...]] = {
    # claims: an event was written in the claim's history (status changes included).
    "claim.event_recorded": (
        "rabatt.claims.emails.claim_event_email_queue",
    ),
    # claims: proofs of purchase were added to a claim (submission, answer to a request).
    "claim.files_added": (
        "rabatt.receipts.checking.claim_files_added",
    ),
    # claims: a file was added to a claim draft in the wizard (read it for the consumer's help).
    "claims.draft_file_added": (
        "rabatt.receipts.checking.draft_file_added",
    ),
    # claims asks before bank details change or a claim is voided: a veto topic.
    "claim.payout_change_requested": (
        "rabatt.payouts.selectors.refuse_if_payment_in_flight",
    ),
    # receipts: every file of a claim has been read and the claim checked against them.
    "receipts.claim_checked": (
        "rabatt.review.automation.receipts_checked",
    ),
    # notifications: the outcome of an e-mail that asked to hear about it (``on_result``).
    "claims.info_request_emailed": (
        "rabatt.claims.services.claim_info_email_result",
    ),
    "codes.recipient_emailed": (
        "rabatt.codes.services.recipient_email_result",
    ),
    "referrals.friend_code_emailed": (
        "rabatt.referrals.services.friend_code_email_result",
    ),
    # notifications: an address was put on the suppression list (unsubscribe, bounce).
    "email.suppressed": (
        "rabatt.codes.services.recipients_suppress",
    ),
}


class UnknownTopic(KeyError):
    """A topic that is not declared in SUBSCRIBERS."""


@cache
def subscribers(topic: str) -> tuple[Callable[..., Any], ...]:
    """Return the subscriber functions of ``topic`` (imported once per process)."""
    try:
        paths = SUBSCRIBERS[topic]
    except KeyError:
        raise UnknownTopic(topic) from None
    return tuple(import_string(path) for path in paths)


def publish(topic: str, **payload: Any) -> list[Any]:
    """Call every subscriber of ``topic`` with ``payload``; return their results in order."""
    return [subscriber(**payload) for subscriber in subscribers(topic)]
