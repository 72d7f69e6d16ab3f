"""Rows of every model that holds a consumer's data, with chosen values (for generated tests)."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User

from rabatt.campaigns.campaign_file import CampaignData, dump_yaml, load_text
from rabatt.campaigns.models import Campaign, Product
from rabatt.campaigns.services import campaign_load
from rabatt.campaigns.tests.factories import example_data
from rabatt.claims.models import BankDetails, Claim, ClaimDraft, ClaimEvent, ClaimLine
from rabatt.claims.services import claim_event_record
from rabatt.claims.tests.factories import receipt_jpeg
from rabatt.codes.services import codes_issue
from rabatt.core import crypto
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import OutboundEmail, Suppression
from rabatt.privacy.audit import audit_record
from rabatt.privacy.consent import consent_record
from rabatt.privacy.models import Subject
from rabatt.receipts.models import ReceiptCheck
from rabatt.receipts.safety import SafeFile
from rabatt.receipts.services import receipt_store, receipt_vet

EMAIL = "ingrid.b@example.no"
IBAN = "NO9386011117947"


@cache
def _example() -> CampaignData:
    # Parsing the example file (pure-Python YAML) costs far more than storing it: do it once.
    return load_text(dump_yaml(example_data()))


def example_campaign() -> Campaign:
    """The example campaign, as ``campaign_factory()`` stores it, parsed once per process."""
    return campaign_load(data=copy.deepcopy(_example()))[0]


def code_row(campaign: Campaign, channel: str = "retailer") -> Any:
    code = next(iter(codes_issue(campaign=campaign, channel=channel, count=1)))
    return apps.get_model("codes", "Code").objects.get(code=code.replace("-", ""))


def file_make(*, claim: Claim, **changes: Any) -> Any:
    safe_fields = {f.name for f in dataclasses.fields(SafeFile)}
    safe = dataclasses.replace(receipt_vet(data=receipt_jpeg(), name="k.jpg",
                                           content_type="image/jpeg"),
                               **{k: v for k, v in changes.items() if k in safe_fields})
    stored = receipt_store(safe=safe, subject=claim.subject, claim_id=claim.pk)
    rest = {k: v for k, v in changes.items() if k not in safe_fields}
    if rest:
        for name, value in rest.items():
            setattr(stored, name, value)
        stored.save(update_fields=list(rest))
    return stored


def _staff() -> User:
    return User.objects.get_or_create(username="agent@example.com",
                                      defaults={"is_staff": True})[0]


# model label -> function(subject, claim, values) returning the row holding ``values``.
Factory = Callable[[Subject, Claim, dict[str, Any]], Any]


def _claim(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    Claim.objects.filter(pk=c.pk).update(**v)
    return Claim.objects.get(pk=c.pk)


def _line(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    product = Product.objects.filter(campaign=c.campaign).first()
    assert product is not None
    return ClaimLine.objects.create(claim=c, product=product, price=v.get("price", 4990))


def _bank(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    row = BankDetails.objects.get(claim=c)
    if v:
        BankDetails.objects.filter(pk=row.pk).update(**v)
    return row


def _event(s: Subject, c: Claim, v: dict[str, Any]) -> ClaimEvent:
    return claim_event_record(claim=c, kind="note", actor_type="consumer", **v)


def _draft(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return ClaimDraft.objects.create(token_hash="d" * 64, campaign=c.campaign, claim=c,
                                     wrapped_key=crypto.data_key_new(),
                                     data=v.get("data", {"x": 1}))


def _file(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return file_make(claim=c, **v)


def _email(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    """An e-mail about the claim in the outbox, found by its address (as the map declares)."""
    return OutboundEmail.objects.create(**{
        "kind": "claim.submitted", "dedup_key": f"test-claim:{c.pk}", "to": c.email.lower(),
        "template": "claims/email/claim_event",
        "context": {"kind": "submitted", "reference": c.reference, "first_name": c.first_name},
        **v})


def _request(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    from rabatt.privacy.models import PrivacyRequest

    now = utcnow()
    return PrivacyRequest.objects.create(subject=s, kind="access", token_hash="r" * 64,
                                         created_at=now, expires_at=now, due_at=now)


def _consent(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return consent_record(subject=s, purpose="marketing", given=True, notice_version="7",
                          source="claim_form")


def _audit(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return audit_record(actor="consumer", action="test", subject=s, claim_id=c.pk)


def _receipt_check(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return ReceiptCheck.objects.update_or_create(claim=c, defaults={
        "status": "done", "files": 1, "read": 1, "checked_at": utcnow(), **v})[0]


def _automatic_decision(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return apps.get_model("review", "AutomaticDecision").objects.create(
        claim=c, outcome="not_eligible", reasons=["amount"], at=utcnow(), **v)


def _note(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return apps.get_model("review", "Note").objects.create(claim=c, author=_staff(), **v)


def _approval(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return apps.get_model("review", "ApprovalRequest").objects.create(
        claim=c, requested_by=_staff(), requested_at=utcnow(), **v)


def _recipient(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return apps.get_model("codes", "Recipient").objects.create(
        campaign=c.campaign, **{"email": EMAIL, "email_normalised": EMAIL, **v})


def _code_event(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    recipient = _recipient(s, c, {})
    return apps.get_model("codes", "CodeEvent").objects.create(
        at=utcnow(), kind="sent", recipient=recipient, data=v.get("data", {"to": EMAIL}))


def _suppression(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return Suppression.objects.create(
        **{"email_normalised": EMAIL, "reason": "unsubscribed", **v})


def _referral(s: Subject, c: Claim, v: dict[str, Any], email: str = EMAIL) -> Any:
    return apps.get_model("referrals", "Referral").objects.create(
        campaign=c.campaign, code=code_row(c.campaign), token=f"t-{email}"[:43],
        created_at=utcnow(), **{"email": email, "email_canonical": email, **v})


def _friend(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    referrer = _referral(s, c, {}, email="someone.else@example.no")
    return apps.get_model("referrals", "Friend").objects.create(
        referral=referrer, campaign=c.campaign, slot=1, code=code_row(c.campaign, "direct"),
        created_at=utcnow(), **{"name": "Ingrid", "email": EMAIL, "email_canonical": EMAIL,
                                "consent_version": "1", "consented_at": utcnow(),
                                "signals": {"same_device": 1}, **v})


def _referral_event(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    return apps.get_model("referrals", "ReferralEvent").objects.create(
        at=utcnow(), kind="created", referral=_referral(s, c, {}),
        data=v.get("data", {"ip": "192.0.2.1"}))


def _payment(s: Subject, c: Claim, v: dict[str, Any]) -> Any:
    """A paid payment with its creditor snapshot sealed by the batch's file key."""
    from rabatt.payouts import sealing
    from rabatt.payouts.models import PayerAccount, Payment, PaymentBatch

    payer = PayerAccount.objects.get_or_create(
        name="Rabatt NOK", defaults={"iban": "NO9386011117947", "bic": "DNBANOKK",
                                     "country": "NO", "currencies": ["NOK"]})[0]
    wrapped, sealed_key = sealing.file_key_new()
    batch = PaymentBatch.objects.create(currency=c.currency, payer=payer, built_by=_staff(),
                                        built_at=utcnow(), wrapped_key=wrapped,
                                        sealed_file_key=sealed_key, status="exported")
    e2e = v.get("end_to_end_id") or f"{c.reference}-{batch.pk}"
    snapshot = {"name": "Kari Nordmann", "reference": c.reference,
                "account": {"country": "NO", "currency": c.currency, "iban": IBAN}}
    aead = sealing.file_aead(wrapped, sealed_key)
    values: dict[str, Any] = {
        "amount": c.amount, "currency": c.currency, "status": "paid",
        "masked": "NO93 •••• 7947", "fingerprint": "e" * 64,
        "creditor_sealed": sealing.seal_small(aead, json.dumps(snapshot).encode(), e2e),
        **v, "end_to_end_id": e2e,
    }
    return Payment.objects.create(batch=batch, claim=c, **values)


FACTORIES: dict[str, Factory] = {
    "privacy.Subject": lambda s, c, v: s,
    "claims.Claim": _claim, "claims.ClaimLine": _line, "claims.BankDetails": _bank,
    "claims.ClaimEvent": _event, "claims.ClaimDraft": _draft, "receipts.ReceiptFile": _file,
    "notifications.OutboundEmail": _email, "privacy.PrivacyRequest": _request,
    "privacy.Consent": _consent, "privacy.AuditEntry": _audit, "review.Note": _note,
    "review.ApprovalRequest": _approval, "codes.Recipient": _recipient,
    "codes.CodeEvent": _code_event, "notifications.Suppression": _suppression,
    "receipts.ReceiptCheck": _receipt_check, "review.AutomaticDecision": _automatic_decision,
    "referrals.Referral": _referral, "referrals.Friend": _friend,
    "referrals.ReferralEvent": _referral_event, "payouts.Payment": _payment,
}
