"""The claim e-mails: what each says per event kind, queued in the outbox with the event.

The outbox renders ``claims/email/claim_event`` in the claim's language when it sends; the
template tags in ``claims/templatetags/claim_email.py`` look the texts up in the table below.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import ClaimEvent, InfoReason
from rabatt.notifications.services import email_queue

CLAIM_MESSAGES = {
    "submitted": (
        _("We have received your claim %(reference)s"),
        _("Thank you. We have received your claim and will check it. You will get an e-mail "
          "at every change of its status."),
    ),
    "start_review": (
        _("We are checking your claim %(reference)s"),
        _("An agent has started checking your claim."),
    ),
    "request_info": (
        _("We need more information for your claim %(reference)s"),
        _("We cannot finish checking your claim yet. Please answer within 7 calendar days of "
          "this e-mail, or the claim becomes invalid."),
    ),
    "answer_info": (
        _("Thank you for your answer on claim %(reference)s"),
        _("We have received your answer and will continue checking your claim."),
    ),
    "lapse": (
        _("Your claim %(reference)s has lapsed"),
        _("We asked for more information but did not receive an answer within 7 calendar days, "
          "so the claim is no longer valid."),
    ),
    "approve": (
        _("Your claim %(reference)s is approved"),
        _("Good news: your claim is approved. We will transfer the money to your bank account "
          "within 30 days."),
    ),
    "reject": (
        _("Your claim %(reference)s was not approved"),
        _("We are sorry: your claim does not meet the terms of the campaign."),
    ),
    "withdraw": (
        _("Your claim %(reference)s is withdrawn"),
        _("You have withdrawn your claim. Nothing more will happen with it."),
    ),
    "void": (
        _("Your claim %(reference)s is cancelled"),
        _("The product was returned, so the cashback no longer applies."),
    ),
    "reopen": (
        _("We are looking at your claim %(reference)s again"),
        _("Your claim is being checked again."),
    ),
    "mark_paid": (
        _("We have paid your claim %(reference)s"),
        _("The money is on its way to your bank account."),
    ),
    "mark_payment_failed": (
        _("We could not pay your claim %(reference)s"),
        _("The bank could not complete the transfer. Please check your bank details."),
    ),
    "bank_details_changed": (
        _("The bank details of your claim %(reference)s were changed"),
        _("The bank details of your claim were changed. If you did not do this, contact us at "
          "once."),
    ),
    "retry_payment": (
        _("We will pay your claim %(reference)s again"),
        _("Your claim is back in the payment queue."),
    ),
}


# Events whose e-mail carries the link to answer (documents, corrections, new bank details).
ANSWER_LINK_KINDS = ("request_info", "mark_payment_failed")

# The bank's reason for returning a payment (ISO 20022 external reason codes), in the
# consumer's words: the bank's own text is English and means little to a claimant.
_ACCOUNT_WRONG = _("The account number is not correct.")
_NAME_WRONG = _("The name of the account holder does not match the account.")
_CANNOT_RECEIVE = _("The account cannot receive this transfer.")
PAYMENT_FAILURES = {
    "AC01": _ACCOUNT_WRONG,
    "AC02": _ACCOUNT_WRONG,
    "AC03": _ACCOUNT_WRONG,
    "AC04": _("The account is closed."),
    "AC06": _("The account is blocked."),
    "AC13": _CANNOT_RECEIVE,
    "AG01": _CANNOT_RECEIVE,
    "CNOR": _CANNOT_RECEIVE,
    "RC01": _("The bank code (BIC) is not correct."),
    "BE01": _NAME_WRONG,
    "RR03": _NAME_WRONG,
}
PAYMENT_FAILED_GENERIC = _("The bank could not complete the transfer.")


def claim_event_context(event: ClaimEvent, link_token: str = "") -> dict[str, Any]:
    """What the claim e-mail of ``event`` needs, as JSON (rendered later, in its language)."""
    claim = event.claim
    token = link_token if event.kind in ANSWER_LINK_KINDS else None
    failed = event.kind == "mark_payment_failed"
    reasons = [] if failed else list(event.reasons)
    if reasons and event.message:
        # The desk prefills the message with the reasons in the claim's language: listed again
        # above it they would be read twice.
        with translation.override(claim.locale):
            if all(reason_label(r) in event.message for r in reasons):
                reasons = []
    summary: dict[str, Any] = {}
    if event.kind == "submitted":
        # The confirmation repeats what was claimed and the amount to expect.
        with translation.override(claim.locale):
            summary = {"amount": str(claim.amount), "currency": claim.currency,
                       "products": [f"{line.quantity} × {line.product}"
                                    for line in claim.lines.select_related("product")]}
    return {"kind": event.kind, "reference": claim.reference, "first_name": claim.first_name,
            **summary, "reasons": reasons, "message": event.message,
            "answer_token": "" if failed else token or "",
            # A failed payment links to the page for new bank details, with the bank's reason.
            "bank_token": token or "" if failed else "",
            "bank_reason": payment_failure_code(event) if failed else ""}


def claim_event_email_queue(*, event: ClaimEvent, notify: bool = True,
                            link_token: str = "") -> None:
    """Queue the e-mail about a claim event, in the event's transaction; once per event."""
    if not notify or event.kind not in CLAIM_MESSAGES:
        return
    claim = event.claim
    email_queue(
        kind=f"claim.{event.kind}", dedup_key=f"claim-event:{event.pk}", to=claim.email,
        template="claims/email/claim_event", context=claim_event_context(event, link_token),
        locale=claim.locale,
        # The 7 days to answer start when the request has actually left.
        on_result="claims.info_request_emailed" if event.kind == "request_info" else "",
        hook_args={"claim_id": claim.pk} if event.kind == "request_info" else None,
    )


def reason_label(code: str) -> str:
    """The consumer's words for a reason code (an information request's, or as given)."""
    return str(InfoReason(code).label) if code in InfoReason.values else code


def payment_failure_label(code: str) -> str:
    """The consumer's words, in the active language, for why the bank returned a payment."""
    return str(PAYMENT_FAILURES.get((code or "").strip().upper(), PAYMENT_FAILED_GENERIC))


def payment_failure_code(event: ClaimEvent) -> str:
    """The bank's reason code of a ``mark_payment_failed`` event (older events kept the text)."""
    return str(event.data.get("reason_code") or (event.reasons[0] if event.reasons else ""))
