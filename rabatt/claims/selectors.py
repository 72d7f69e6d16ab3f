"""Reads of claims."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import Claim, ClaimStatus
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
        "update_bank", _("The payment failed. Please give us correct bank details.")
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


def claim_public_status(*, claim: Claim) -> dict[str, Any]:
    """What the consumer may see of their claim: status, history, next step."""
    code, message = NEXT_STEPS[ClaimStatus(claim.status)]
    history = [{"at": e.at, "status": e.to_status, "label": str(ClaimStatus(e.to_status).label)}
               for e in claim.events.all() if e.to_status]
    return {
        "reference": claim.reference,
        "status": claim.status,
        "status_label": str(ClaimStatus(claim.status).label),
        "submitted_at": claim.submitted_at,
        "amount": claim.amount,
        "currency": claim.currency,
        "decided_automatically": claim.decided_automatically,
        "history": history,
        "next_step": {"code": code, "message": str(message),
                      "due_at": claim.info_due_at if code == "answer_info" else None},
    }
