"""Template tags of the claim e-mails: the per-event texts, looked up in the active language."""

from __future__ import annotations

from django import template

from rabatt.claims.emails import CLAIM_MESSAGES, payment_failure_label, reason_label

register = template.Library()


@register.simple_tag
def claim_subject(kind: str, reference: str) -> str:
    """Return the subject line of the e-mail about a ``kind`` event."""
    return str(CLAIM_MESSAGES[kind][0]) % {"reference": reference}


@register.simple_tag
def claim_intro(kind: str) -> str:
    """Return the opening paragraph of the e-mail about a ``kind`` event."""
    return str(CLAIM_MESSAGES[kind][1])


@register.filter
def claim_reason(code: str) -> str:
    """Return the consumer's words for a reason code."""
    return reason_label(code)


@register.filter
def payment_failure(code: str) -> str:
    """Return the consumer's words for the bank's reason for returning a payment."""
    return payment_failure_label(code)
