"""Reads of claims."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from rabatt.claims.emails import payment_failure_code, payment_failure_label
from rabatt.claims.models import BankDetails, Claim, ClaimStatus
from rabatt.claims.services import reference_normalise
from rabatt.core.errors import NotFound
from rabatt.privacy.subjects import email_normalise

NEXT_STEPS = {
    ClaimStatus.SUBMITTED: ("wait", _("Nothing to do: an agent will check your claim.")),
    ClaimStatus.IN_REVIEW: ("wait", _("Nothing to do: an agent is checking your claim.")),
    ClaimStatus.INFO_REQUESTED: (
        "answer_info",
        _("We need more information. Use the link in our e-mail to answer before the deadline."),
    ),
    ClaimStatus.APPROVED: ("wait_payment",
                           _("Approved: the money will reach your account within 30 days.")),
    ClaimStatus.PAID: ("none", _("Paid. Nothing more to do.")),
    ClaimStatus.PAYMENT_FAILED: (
        "update_bank", _("The bank returned the payment. Use the link in our e-mail to give us "
                         "the details of an account in your name; we pay in the next payment "
                         "run."),
    ),
    ClaimStatus.REJECTED: ("none", _("The claim was not approved.")),
    ClaimStatus.LAPSED: ("none", _("The claim lapsed because we received no answer in time.")),
    ClaimStatus.WITHDRAWN: ("none", _("You withdrew the claim.")),
    ClaimStatus.VOIDED: ("none", _("The claim was cancelled because the product was returned.")),
}


def claim_for_tracker(*, reference: str, email: str) -> Claim:
    """Find a claim by reference and e-mail; an unknown reference and a wrong e-mail look alike."""
    canonical = reference_normalise(reference)
    claim = (Claim.objects.select_related("subject").filter(reference=canonical).first()
             if canonical else None)
    if (claim is None or email_normalise(claim.email) != email_normalise(email)
            or claim.subject.erased_at is not None):
        raise NotFound(_("We found no claim with this reference and e-mail address."))
    return claim


# History entries whose words say more than the status they lead to.
HISTORY_LABELS = {
    "mark_payment_failed": _("Payment failed"),
    "retry_payment": _("New bank details received: back in the payment queue"),
    "rectify_bank": _("New bank details received: an agent checks them"),
}


def claim_payment_failure(*, claim: Claim) -> dict[str, Any] | None:
    """The latest failed payment of a claim: when, the bank's reason in the active language,
    and the account (masked) it was sent to."""
    event = claim.events.filter(kind="mark_payment_failed").order_by("-at", "-id").first()
    if event is None:
        return None
    code = payment_failure_code(event)
    bank = BankDetails.objects.filter(claim=claim).only("masked").first()
    return {"at": event.at, "reason_code": code, "reason": payment_failure_label(code),
            "masked": bank.masked if bank else ""}


def claim_public_status(*, claim: Claim) -> dict[str, Any]:
    """What the consumer may see of their claim: status, history, next step."""
    code, message = NEXT_STEPS[ClaimStatus(claim.status)]
    history = [{"at": e.at, "status": e.to_status,
                "label": str(HISTORY_LABELS.get(e.kind) or ClaimStatus(e.to_status).label)}
               for e in claim.events.all() if e.to_status]
    failed = claim.status == ClaimStatus.PAYMENT_FAILED
    return {
        "reference": claim.reference,
        "status": claim.status,
        "status_label": str(ClaimStatus(claim.status).label),
        "submitted_at": claim.submitted_at,
        "amount": claim.amount,
        "currency": claim.currency,
        "country": claim.purchase_country,
        "decided_automatically": claim.decided_automatically,
        "history": history,
        "payment_failure": claim_payment_failure(claim=claim) if failed else None,
        "next_step": {"code": code, "message": str(message),
                      "due_at": claim.info_due_at if code == "answer_info" else None},
    }
