"""Rectification (GDPR Art. 16): contact details on every claim, bank details before payout.

The claims app makes the corrections (``claim_contact_correct``, ``claim_bank_rectify``: checks,
events, e-mails, the fresh review); this module checks everything before the link is used and
records the audit entries. The link, the corrections and their events commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import Claim
from rabatt.claims.services import (
    CONTACT_FIELDS,
    BankIn,
    bank_validate,
    claim_bank_rectify,
    claim_contact_correct,
)
from rabatt.claims.transitions import BANK_EDITABLE
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.privacy.audit import audit_record
from rabatt.privacy.holdings import subject_claims
from rabatt.privacy.models import RequestKind, Subject
from rabatt.privacy.requests import (
    privacy_request_for_token,
    privacy_request_transition,
    privacy_request_use,
)
from rabatt.privacy.subjects import subject_ensure_processable

KINDS = (RequestKind.RECTIFICATION,)


@dataclass(frozen=True)
class BankCorrection:
    """New bank details for one claim, as the rectification form sends them."""

    claim_id: int
    account_holder: str
    iban: str = ""
    account_number: str = ""
    bank_code: str = ""


def bank_editable_claims(*, subject: Subject) -> models.QuerySet[Claim]:
    """Return the person's claims whose bank details may still be corrected."""
    return subject_claims(subject=subject).filter(status__in=BANK_EDITABLE).order_by("pk")


def _bank_in(correction: BankCorrection) -> BankIn:
    fields = (("iban", correction.iban), ("account_number", correction.account_number),
              ("bank_code", correction.bank_code))
    return BankIn(account_holder=correction.account_holder,
                  fields={k: v.strip() for k, v in fields if v.strip()})


def rectification_apply(*, token: str, contact: dict[str, str],
                        bank: BankCorrection | None = None) -> dict[str, Any]:
    """Use a rectification link: correct contact details on every claim, and one claim's bank."""
    request = privacy_request_for_token(token=token, kinds=KINDS)
    subject = request.subject
    subject_ensure_processable(subject)
    changes = {k: v.strip() for k, v in contact.items()
               if k in CONTACT_FIELDS and isinstance(v, str) and v.strip()}
    bank_in = None
    claim = None
    if bank is not None:
        claim = subject_claims(subject=subject).filter(pk=bank.claim_id).first()
        if claim is None:
            raise NotFound(_("No such claim."))
        if claim.status not in BANK_EDITABLE:
            raise Conflict(_("Bank details can be corrected only before the payment."),
                           code="bank_locked")
        bank_in = _bank_in(bank)
        # Validated before the link is used, so that a typo does not cost the person their link.
        bank_validate(country=claim.address_country, currency=claim.currency, bank=bank_in)
    if not changes and bank_in is None:
        raise DomainError(_("Nothing to correct."), code="nothing_to_correct")
    done: dict[str, Any] = {"contact_fields": sorted(changes), "contact_claims": [],
                            "bank_claim": None}
    corrected_on: list[tuple[int, list[str]]] = []
    with transaction.atomic():
        request = privacy_request_use(token=token, kinds=KINDS)
        claims = subject_claims(subject=subject).order_by("pk").values_list("pk", "reference")
        for claim_id, reference in claims if changes else ():
            corrected = claim_contact_correct(claim_id=claim_id, changes=changes,
                                              actor_type="consumer")
            if corrected:
                corrected_on.append((claim_id, corrected))
                done["contact_claims"].append(reference)
        if claim is not None and bank_in is not None:
            rectified = claim_bank_rectify(claim_id=claim.pk, bank=bank_in)
            done["bank_claim"] = rectified.reference
            done["claim_status"] = rectified.status
        # Audited last, so that the audit chain's one lock is held as briefly as possible.
        for claim_id, corrected in corrected_on:
            # Field names only, never values (as in the claim's event).
            audit_record(actor="consumer", action="rectify_contact", subject=subject,
                         claim_id=claim_id, what=",".join(corrected))
        if claim is not None:
            audit_record(actor="consumer", action="rectify_bank", subject=subject,
                         claim_id=claim.pk, what="bank")
        privacy_request_transition(request_id=request.pk, action="complete", actor="consumer",
                                   outcome=done)
    return done
