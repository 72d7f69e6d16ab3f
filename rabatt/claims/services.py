"""Writes to claims: submit, and one function per status change."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rabatt.banking import BankAccount, holder_name_match, validate_bank_account
from rabatt.campaigns.models import Campaign, Product, Retailer
from rabatt.campaigns.rules import Purchase, PurchaseLine
from rabatt.campaigns.selectors import campaign_accepts_claims_check
from rabatt.campaigns.services import campaign_quote
from rabatt.claims.models import (
    BankDetails,
    Claim,
    ClaimDraft,
    ClaimEvent,
    ClaimLine,
    ClaimStatus,
    InfoReason,
    InfoRequestToken,
)
from rabatt.claims.transitions import BANK_EDITABLE, TRANSITIONS
from rabatt.codes.alphabet import ALPHABET
from rabatt.codes.services import code_lookup, code_mark_used
from rabatt.core import crypto, hooks
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.localformats import (
    FormatError,
    phone_normalise,
    postcode_normalise,
    postcode_optional,
)
from rabatt.core.ratelimit import rate_limit
from rabatt.core.text import SINGLE_LINE_MESSAGE, has_control_chars
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash, token_new
from rabatt.core.transitions import apply
from rabatt.privacy.consent import consent_record
from rabatt.privacy.models import Subject
from rabatt.privacy.subjects import subject_ensure_processable, subject_for_email, subject_seal
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.safety import MAX_FILES_PER_CLAIM, SafeFile
from rabatt.receipts.services import (
    receipt_copy_to_claim,
    receipt_delete,
    receipt_files_discard,
    receipt_read,
    receipt_store,
    receipt_vet,
)

INFO_ANSWER_DAYS = 7
PAYMENT_DAYS = 30
_CONFUSABLE = str.maketrans("OIL", "011")
REFERENCE_PREFIX = "RB"


@dataclass(frozen=True)
class PersonIn:
    first_name: str
    last_name: str
    email: str
    address_line1: str
    postcode: str
    city: str
    country: str
    phone: str = ""
    address_line2: str = ""


@dataclass(frozen=True)
class PurchaseIn:
    country: str
    channel: str
    retailer: str | None
    purchased_at: datetime
    lines: Sequence[PurchaseLine]
    order_number: str = ""


@dataclass(frozen=True)
class BankIn:
    account_holder: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RawUpload:
    """A file as the client sent it, not yet vetted."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DeclarationsIn:
    adult: bool
    end_user: bool
    own_claim: bool
    terms_accepted: bool


def reference_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def reference_normalise(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(_CONFUSABLE)
    if cleaned.startswith("RB"):
        cleaned = cleaned[2:]
    return f"{REFERENCE_PREFIX}-{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else ""


# Providers that ignore dots in the local part: kari.nordmann@ and karinordmann@ are one box.
_DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def email_pattern(email: str) -> str:
    """The pattern behind an address: ``Kari.N+3@Gmail.com`` and ``karin7@gmail.com`` are both
    ``karin*@gmail.com``; too short a stem ("a1@…") gives no pattern."""
    local, _sep, domain = email.strip().lower().rpartition("@")
    if not local or not domain:
        return ""
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
    stem = local.rstrip("0123456789._-")
    return f"{stem}*@{domain}" if len(stem) >= 3 else ""
TRACK_REFERENCE_LIMIT = 10
TRACK_REFERENCE_WINDOW = 600


def tracker_attempt_count(*, reference: str) -> None:
    """Count a tracker look-up against its reference, however it is spelt; raise past the limit.

    Spellings that name the same claim ("rb-ab12-cd34", "AB12CD34", "RB AB12 CD34") share one
    count, so the limit cannot be stepped around by respelling the reference.
    """
    key = reference_normalise(reference) or "invalid"
    rate_limit(scope="track-ref", key=key, limit=TRACK_REFERENCE_LIMIT,
               window=TRACK_REFERENCE_WINDOW)


def terms_version(campaign: Campaign) -> str:
    return str((campaign.content.get("terms") or {}).get("version") or "1")


def bank_fingerprint(account: BankAccount) -> str:
    key = hashlib.sha256(b"rabatt-bank-fingerprint:" + settings.SECRET_KEY.encode()).digest()
    ident = account.iban or f"{account.country}:{account.bank_code}:{account.branch_code}:" \
        f"{account.account_number}"
    return hmac.new(key, ident.encode(), hashlib.sha256).hexdigest()


def device_fingerprint_of(device: str) -> str:
    """Hash the browser's device cookie with a key of ours; empty when there is none."""
    if not device:
        return ""
    key = hashlib.sha256(b"rabatt-device-fingerprint:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, device.encode(), hashlib.sha256).hexdigest()


def bank_validate(*, country: str, currency: str, bank: BankIn) -> BankAccount:
    """Validate bank details for ``country``; the generic ``bank_code`` maps per country."""
    if not bank.account_holder.strip():
        raise DomainError(_("Enter the name of the account holder."),
                          code="account_holder_required",
                          fields={"bank.account_holder": "required"})
    _refuse_control_chars({"bank.account_holder": bank.account_holder})
    data = {k: v for k, v in bank.fields.items() if v not in (None, "")}
    code = data.pop("bank_code", None)
    if code:
        digits = "".join(ch for ch in code if ch.isdigit())
        if country == "AU":
            data.setdefault("bsb", code)
        elif country == "US":
            data.setdefault("routing_number", code)
        elif country == "CA":
            if len(digits) == 9 and digits.startswith("0"):
                digits = digits[1:]
            data.setdefault("institution_number", digits[:3])
            data.setdefault("transit_number", digits[3:])
        else:
            data.setdefault("bic", code)
    if country == "US":
        data.setdefault("account_type", "checking")
    return validate_bank_account(country=country, currency=currency, data=data)


def _refuse_control_chars(values: dict[str, str]) -> None:
    """Refuse line breaks and control characters in names and addresses (they reach e-mails)."""
    bad = {name: "control characters" for name, value in values.items()
           if has_control_chars(str(value))}
    if bad:
        raise DomainError(SINGLE_LINE_MESSAGE, code="invalid_characters", fields=bad)


def _validate_person(person: PersonIn, purchase: PurchaseIn) -> PersonIn:
    _refuse_control_chars({f"person.{name}": getattr(person, name) for name in (
        "first_name", "last_name", "email", "phone", "address_line1", "address_line2",
        "postcode", "city")} | {"purchase.order_number": purchase.order_number})
    fields: dict[str, str] = {}
    required = ["first_name", "last_name", "email", "address_line1", "city"]
    if not postcode_optional(person.country):
        required.append("postcode")
    for name in required:
        if not str(getattr(person, name)).strip():
            fields[f"person.{name}"] = "required"
    if fields:
        raise DomainError(_("Please fill in every required field."), code="invalid_input",
                          fields=fields)
    if person.country != purchase.country:
        raise DomainError(
            _("You can claim only for purchases in the country where you live."),
            code="country_mismatch", fields={"purchase.country": "must equal address country"},
        )
    return replace(person, **contact_normalise(country=person.country, values={
        "postcode": person.postcode, "phone": person.phone}))


def contact_normalise(*, country: str, values: dict[str, str]) -> dict[str, str]:
    """Return ``values`` with postcode and phone in the country's form; DomainError if wrong."""
    checks = {"postcode": postcode_normalise, "phone": phone_normalise}
    out = dict(values)
    for name, check in checks.items():
        if name not in values:
            continue
        try:
            out[name] = check(country=country, text=values[name])
        except FormatError as exc:
            raise DomainError(exc.message, code=f"{name}_invalid",
                              fields={f"person.{name}": "format"}) from None
    return out


def _check_declarations(declarations: DeclarationsIn) -> None:
    missing = [name for name in ("adult", "end_user", "own_claim", "terms_accepted")
               if not getattr(declarations, name)]
    if missing:
        # Nobody under 18 (and certainly not under 16) gets their data stored: we refuse
        # before anything is written.
        raise DomainError(
            _("Please confirm every declaration: you are an adult end user, the claim is your "
              "own and you accept the terms."),
            code="declarations_required",
            fields={f"declarations.{m}": "must be true" for m in missing},
        )


def claim_submit(
    *,
    campaign: Campaign,
    code: str,
    person: PersonIn,
    purchase: PurchaseIn,
    bank: BankIn,
    declarations: DeclarationsIn,
    marketing_consent: bool,
    locale: str,
    uploads: Sequence[SafeFile] = (),
    raw_uploads: Sequence[RawUpload] = (),
    draft: ClaimDraft | None = None,
    device: str = "",
    now: datetime | None = None,
    on_created: Any = None,
) -> Claim:
    """Check and store a consumer's claim, use up its code, and e-mail a confirmation.

    ``raw_uploads`` are vetted only once the code, the purchase and the bank details pass, so
    that the costly file checks cannot be had without a valid code (they raise UploadRefused).
    ``on_created(claim)`` runs inside the transaction (e.g. to record an idempotent answer).
    ``device`` is the browser's device cookie; only its keyed hash is stored.
    """
    now = now or utcnow()
    campaign_accepts_claims_check(campaign=campaign)
    _check_declarations(declarations)
    code_row = code_lookup(campaign=campaign, text=code)
    if code_row.channel != "retailer":
        raise DomainError(_("This code is a discount code for the brand's shop, not for "
                            "cashback."), code="code_wrong_channel", fields={"code": "channel"})
    if purchase.purchased_at > now + timedelta(minutes=5):
        raise DomainError(_("The purchase date cannot be in the future."),
                          code="purchase_in_future", fields={"purchase.purchased_at": "future"})
    quote = campaign_quote(campaign=campaign, purchase=Purchase(
        country=purchase.country, channel=purchase.channel, retailer=purchase.retailer,
        purchased_at=purchase.purchased_at, claimed_at=now, lines=purchase.lines,
    ))
    if not quote.eligible:
        raise DomainError(
            _("The purchase does not qualify."), code="not_eligible",
            fields={"reasons": [{"code": r.code, "message": str(r.message), "product": r.product}
                                for r in quote.reasons]},
        )
    person = _validate_person(person, purchase)
    assert quote.currency is not None
    account = bank_validate(country=person.country, currency=quote.currency, bank=bank)
    draft_files = list(draft.files.all()) if draft is not None else []
    if len(uploads) + len(raw_uploads) + len(draft_files) > MAX_FILES_PER_CLAIM:
        raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                          code="too_many_files", fields={"files": "too many"})
    uploads = [*uploads, *(receipt_vet(data=raw.data, name=raw.name,
                                       content_type=raw.content_type) for raw in raw_uploads)]
    if not uploads and not draft_files:
        raise DomainError(_("Please add at least one proof of purchase (receipt or invoice)."),
                          code="proof_required", fields={"files": "required"})
    if len(uploads) + len(draft_files) > MAX_FILES_PER_CLAIM:
        raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                          code="too_many_files", fields={"files": "too many"})
    name_match = holder_name_match(bank.account_holder, person.first_name, person.last_name)

    stored: list[ReceiptFile] = []
    try:
        with transaction.atomic():
            subject = subject_for_email(email=person.email)
            subject_ensure_processable(subject)
            code_mark_used(code=code_row)
            claim = _claim_create(campaign, code_row, subject, person, purchase, quote, locale,
                                  declarations, marketing_consent, now, name_match.score,
                                  device_fingerprint=device_fingerprint_of(device))
            consent_record(subject=subject, purpose="marketing", given=marketing_consent,
                           notice_version=terms_version(campaign), source="claim_form")
            products = {p.code: p for p in Product.objects.filter(campaign=campaign)}
            ClaimLine.objects.bulk_create(
                ClaimLine(claim=claim, product=products[line.product], price=line.price,
                          quantity=line.quantity, qualifying=result.qualifying)
                for line, result in zip(purchase.lines, quote.lines, strict=True)
                if line.product in products
            )
            BankDetails.objects.create(
                claim=claim,
                sealed=subject_seal(subject, json.dumps(
                    {"account_holder": bank.account_holder.strip(), **account.as_dict()}
                ).encode()),
                masked=account.masked(), fingerprint=bank_fingerprint(account),
            )
            for safe in uploads:
                stored.append(receipt_store(safe=safe, subject=subject, claim_id=claim.pk))
            if draft is not None:
                for receipt in draft_files:
                    stored.append(receipt_copy_to_claim(
                        receipt=receipt, draft_key=bytes(draft.wrapped_key), subject=subject,
                        claim_id=claim.pk,
                    ))
                draft.claim = claim
                draft.save(update_fields=["claim", "updated_at"])
                transaction.on_commit(lambda: _delete_files(draft_files))
            claim_event_record(claim=claim, kind="submitted", actor_type="consumer",
                               to_status=claim.status, at=now)
            hooks.publish("claim.files_added", claim=claim, file_ids=[r.pk for r in stored])
            if on_created is not None:
                on_created(claim)
    except BaseException:
        # The rows went with the rollback; the sealed files written for them must go too.
        receipt_files_discard(receipts=stored)
        raise
    return claim


def _delete_files(receipts: Sequence[ReceiptFile]) -> None:
    for receipt in receipts:
        receipt_delete(receipt=receipt)


def _claim_create(campaign: Campaign, code_row: Any, subject: Subject, person: PersonIn,
                  purchase: PurchaseIn, quote: Any, locale: str, declarations: DeclarationsIn,
                  marketing_consent: bool, now: datetime, name_score: float, *,
                  device_fingerprint: str = "") -> Claim:
    retailer = (Retailer.objects.filter(campaign=campaign, code=purchase.retailer).first()
                if purchase.retailer else None)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Claim.objects.create(
                    reference=reference_new(), campaign=campaign, code=code_row, subject=subject,
                    locale=locale, first_name=person.first_name.strip(),
                    last_name=person.last_name.strip(), email=person.email.strip(),
                    email_pattern=email_pattern(person.email),
                    device_fingerprint=device_fingerprint,
                    phone=person.phone.strip(), address_line1=person.address_line1.strip(),
                    address_line2=person.address_line2.strip(), postcode=person.postcode.strip(),
                    city=person.city.strip(), address_country=person.country,
                    purchase_country=purchase.country, channel=purchase.channel,
                    retailer=retailer, purchased_at=purchase.purchased_at,
                    order_number=purchase.order_number.strip(), currency=quote.currency,
                    amount=quote.amount, capped=quote.capped,
                    terms_version=terms_version(campaign),
                    declarations={
                        "adult": declarations.adult, "end_user": declarations.end_user,
                        "own_claim": declarations.own_claim,
                        "terms_accepted": declarations.terms_accepted,
                    },
                    marketing_consent=marketing_consent, submitted_at=now,
                    bank_holder_match=round(name_score, 3),
                )
        except IntegrityError as exc:
            # The code is unique per claim too; only a reference collision is worth a retry.
            if Claim.objects.filter(code=code_row).exists() or "reference" not in str(exc):
                raise Conflict(_("This code has already been used."),
                               code="code_already_used") from None
    raise Conflict(_("Please try again."), code="retry")


def claim_event_record(*, claim: Claim, kind: str, actor_type: str, actor: User | None = None,
                       from_status: str = "", to_status: str = "", reasons: Sequence[str] = (),
                       message: str = "", data: dict[str, Any] | None = None,
                       at: datetime | None = None, notify: bool = True,
                       link_token: str = "") -> ClaimEvent:
    """Write one entry in a claim's history: the only place a ClaimEvent is created.

    Other apps that must record something on a claim call this. Subscribers of
    ``claim.event_recorded`` hear of it inside the same transaction; ``notify`` tells the claim
    e-mails whether the consumer is to hear of it, ``link_token`` the secret of the link the
    e-mail carries (never stored in the history: only its hash is kept, elsewhere).
    """
    event = ClaimEvent.objects.create(
        claim=claim, at=at or utcnow(), actor_type=actor_type, actor=actor, kind=kind,
        from_status=from_status, to_status=to_status, reasons=list(reasons), message=message,
        data=data or {},
    )
    hooks.publish("claim.event_recorded", event=event, notify=notify, link_token=link_token)
    return event


def _locked(claim_id: int) -> Claim:
    claim = (Claim.objects.select_for_update(of=("self",)).select_related("subject")
             .filter(pk=claim_id).first())
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


def _transition(
    *,
    claim_id: int,
    action: str,
    actor_type: str,
    actor: User | None = None,
    reasons: Sequence[str] = (),
    message: str = "",
    data: dict[str, Any] | None = None,
    link_token: str = "",
    changes: dict[str, Any] | None = None,
    notify: bool = True,
) -> tuple[Claim, ClaimEvent]:
    """Lock the claim, check the table, save what changed, write the event."""
    with transaction.atomic():
        claim = _locked(claim_id)
        # Restriction stops every actor, the system's timers included; only recording what the
        # bank already did (a legal-obligation record) goes on.
        if not (actor_type == "system" and action in ("mark_paid", "mark_payment_failed")):
            subject_ensure_processable(claim.subject)
        transition = TRANSITIONS.check(action, status=claim.status, actor_type=actor_type)
        previous = apply(claim, transition, changes=changes)
        event = claim_event_record(claim=claim, kind=action, actor_type=actor_type, actor=actor,
                                   from_status=previous, to_status=claim.status, reasons=reasons,
                                   message=message, data=data, notify=notify,
                                   link_token=link_token)
    return claim, event


def claim_start_review(*, claim_id: int, actor: User | None) -> Claim:
    """Move a submitted claim into review (an agent opened it)."""
    return _transition(claim_id=claim_id, action="start_review",
                       actor_type="staff" if actor else "system", actor=actor)[0]


def claim_request_info(
    *, claim_id: int, actor: User, reasons: Sequence[str], message: str = ""
) -> tuple[Claim, str]:
    """Ask the consumer for missing information; return the claim and the answer link token."""
    unknown = [r for r in reasons if r not in InfoReason.values]
    if not reasons or unknown:
        raise DomainError(_("Choose at least one known reason."), code="invalid_reason",
                          fields={"reasons": unknown or "required"})
    if InfoReason.OTHER in reasons and not message.strip():
        raise DomainError(_("Explain the reason in the message."), code="message_required",
                          fields={"message": "required"})
    token, digest = token_new()
    with transaction.atomic():
        claim, event = _transition(
            claim_id=claim_id, action="request_info", actor_type="staff", actor=actor,
            reasons=reasons, message=message.strip(),
            changes={"info_requested_at": utcnow(), "info_due_at": None},
            link_token=token,
        )
        InfoRequestToken.objects.create(claim=claim, event=event, token_hash=digest)
    return claim, token


def info_token_claim(*, token: str) -> tuple[Claim, InfoRequestToken]:
    """Return the claim a missing-information link belongs to, if it may still be answered."""
    row = InfoRequestToken.objects.select_related("claim", "event").filter(
        token_hash=token_hash(token)).first()
    if row is None or row.used_at is not None:
        raise NotFound(_("This link is not valid any more."), code="link_invalid")
    if row.claim.status not in (ClaimStatus.INFO_REQUESTED, ClaimStatus.PAYMENT_FAILED) or \
            row.claim.info_tokens.filter(
            created_at__gt=row.created_at).exists():
        raise NotFound(_("This link is not valid any more."), code="link_invalid")
    return row.claim, row


def claim_answer_info(
    *, token: str, message: str = "", uploads: Sequence[SafeFile] = (),
    corrections: dict[str, str] | None = None, bank: BankIn | None = None,
) -> Claim:
    """Record the consumer's answer (documents, corrections, new bank details).

    A request for information goes back to review; a failed payment with new bank details
    goes back to the payout queue.
    """
    claim, row = info_token_claim(token=token)
    if claim.status == ClaimStatus.PAYMENT_FAILED:
        if bank is None:
            raise DomainError(_("Please give your new bank details."), code="bank_required",
                              fields={"bank": "required"})
        return claim_payment_bank_give(token=token, bank=bank)
    if not uploads and not message.strip() and not corrections and bank is None:
        raise DomainError(_("Add a document, a correction or a message."), code="answer_empty")
    if claim.files.count() + len(uploads) > MAX_FILES_PER_CLAIM:
        raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                          code="too_many_files")
    allowed = {"first_name", "last_name", "phone", "address_line1", "address_line2",
               "postcode", "city", "order_number"}
    changes = {k: v.strip() for k, v in (corrections or {}).items() if k in allowed and v.strip()}
    _refuse_control_chars(changes)
    changes = contact_normalise(country=claim.address_country, values=changes)
    with transaction.atomic():
        _link_use(row)
        added = [receipt_store(safe=safe, subject=claim.subject, claim_id=claim.pk,
                               added_during="info_answer") for safe in uploads]
        if bank is not None:
            locked_claim = Claim.objects.select_for_update().select_related("subject").get(
                pk=claim.pk)
            _bank_replace(locked_claim, bank, actor_type="consumer", actor=None)
        claim, _event_row = _transition(
            claim_id=claim.pk, action="answer_info", actor_type="consumer", message=message.strip(),
            changes=changes | {"info_due_at": None},
            data={"files": len(uploads), "corrected": sorted(changes),
                  "bank_changed": bank is not None},
        )
        if added:
            hooks.publish("claim.files_added", claim=claim, file_ids=[r.pk for r in added])
    return claim


def claim_lapse_if_overdue(*, claim_id: int, now: datetime | None = None) -> bool:
    """Lapse a claim whose 7-day answer window has passed; safe to call any number of times."""
    now = now or utcnow()
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if (claim is None or claim.status != ClaimStatus.INFO_REQUESTED
                or claim.info_due_at is None or claim.info_due_at > now):
            return False
        _transition(claim_id=claim_id, action="lapse", actor_type="system",
                    reasons=["no_answer_in_time"])
    return True


def claims_lapse_overdue(*, now: datetime | None = None) -> int:
    """Lapse every overdue claim (the sweeper behind the per-claim deferred tasks)."""
    now = now or utcnow()
    ids = list(Claim.objects.filter(status=ClaimStatus.INFO_REQUESTED, info_due_at__lte=now)
               .values_list("pk", flat=True))
    return sum(claim_lapse_if_overdue(claim_id=pk, now=now) for pk in ids)


def claim_info_email_sent(*, claim_id: int, sent_at: datetime) -> datetime | None:
    """Start the 7 calendar days from the moment the request e-mail was actually sent."""
    due = sent_at + timedelta(days=INFO_ANSWER_DAYS)
    updated = Claim.objects.filter(pk=claim_id, status=ClaimStatus.INFO_REQUESTED,
                                   info_due_at__isnull=True).update(info_due_at=due)
    return due if updated else None


def claim_info_email_result(*, claim_id: int, outcome: str, at: datetime) -> None:
    """Hear from the outbox how the request e-mail went; once sent, the 7 days start."""
    if outcome != "sent":
        return
    due = claim_info_email_sent(claim_id=claim_id, sent_at=at)
    if due is not None:
        from rabatt.claims.tasks import lapse_claim_if_unanswered

        transaction.on_commit(lambda: lapse_claim_if_unanswered.using(
            run_after=due).enqueue(claim_id))


def claim_approve(*, claim_id: int, actor: User | None, message: str = "",
                  automatic: bool = False, data: dict[str, Any] | None = None) -> Claim:
    return _transition(
        claim_id=claim_id, action="approve", actor_type="system" if automatic else "staff",
        actor=actor, message=message, data=data,
        changes={"decided_at": utcnow(), "decided_automatically": automatic,
                 "payment_due_at": utcnow() + timedelta(days=PAYMENT_DAYS)},
    )[0]


def claim_reject(
    *, claim_id: int, actor: User, reason: str, message: str = ""
) -> Claim:
    if not reason.strip():
        raise DomainError(_("A rejection needs a reason."), code="reason_required",
                          fields={"reason": "required"})
    return _transition(claim_id=claim_id, action="reject", actor_type="staff", actor=actor,
                       reasons=[reason.strip()], message=message,
                       changes={"decided_at": utcnow(), "decided_automatically": False})[0]


def _refuse_if_payment_in_flight(claim_id: int) -> None:
    # Payouts sit above claims: they answer through the hook (raising Conflict to refuse).
    hooks.publish("claim.payout_change_requested", claim_id=claim_id)


def claim_void(*, claim_id: int, actor: User, message: str = "") -> Claim:
    _refuse_if_payment_in_flight(claim_id)
    return _transition(claim_id=claim_id, action="void", actor_type="staff", actor=actor,
                       reasons=["product_returned"], message=message)[0]


def claim_withdraw(*, claim_id: int) -> Claim:
    return _transition(claim_id=claim_id, action="withdraw", actor_type="consumer")[0]


def claim_reopen(*, claim_id: int, actor: User, message: str = "") -> Claim:
    return _transition(claim_id=claim_id, action="reopen", actor_type="staff", actor=actor,
                       message=message, changes={"decided_at": None})[0]


def draft_new(*, campaign: Campaign) -> tuple[ClaimDraft, str]:
    """Start a wizard draft; return it and the token the browser keeps."""
    token, digest = token_new()
    draft = ClaimDraft.objects.create(token_hash=digest, campaign=campaign, data={},
                                      wrapped_key=crypto.data_key_new())
    return draft, token


def draft_get(*, token: str) -> ClaimDraft | None:
    return ClaimDraft.objects.filter(token_hash=token_hash(token), claim__isnull=True).first()


def draft_update(*, draft: ClaimDraft, step: str, values: dict[str, Any]) -> None:
    draft.data = {**draft.data, step: values}
    draft.save(update_fields=["data", "updated_at"])


def draft_add_file(*, draft: ClaimDraft, safe: SafeFile) -> ReceiptFile:
    if draft.files.count() >= MAX_FILES_PER_CLAIM:
        raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                          code="too_many_files", status=422)
    receipt = receipt_store(safe=safe, draft_key=bytes(draft.wrapped_key), draft_id=draft.pk)
    hooks.publish("claims.draft_file_added", receipt_id=receipt.pk)
    return receipt


def draft_purchase_from_receipt(*, draft: ClaimDraft, file_id: str,
                                proposal: dict[str, Any]) -> None:
    """Fill the draft's purchase step with what one of its receipts shows (still editable)."""
    if not draft.files.filter(pk=file_id).exists():
        raise NotFound(_("No such file."))
    if not proposal:
        return
    draft_update(draft=draft, step="purchase", values=proposal)


def draft_remove_file(*, draft: ClaimDraft, file_id: str) -> None:
    receipt = draft.files.filter(pk=file_id).first()
    if receipt is None:
        raise NotFound(_("No such file."))
    receipt_delete(receipt=receipt)


def _bank_replace(claim: Claim, bank: BankIn, *, actor_type: str,
                  actor: User | None) -> ClaimEvent:
    account = bank_validate(country=claim.address_country, currency=claim.currency, bank=bank)
    details = BankDetails.objects.filter(claim=claim).first() or BankDetails(claim=claim)
    details.sealed = subject_seal(claim.subject, json.dumps(
        {"account_holder": bank.account_holder.strip(), **account.as_dict()}).encode())
    details.masked = account.masked()
    details.fingerprint = bank_fingerprint(account)
    if details.pk is None:
        details.save()
    else:
        details.save(update_fields=["sealed", "masked", "fingerprint", "updated_at"])
    match = holder_name_match(bank.account_holder, claim.first_name, claim.last_name)
    claim.bank_holder_match = round(match.score, 3)
    claim.save(update_fields=["bank_holder_match", "updated_at"])
    return claim_event_record(claim=claim, kind="bank_details_changed", actor_type=actor_type,
                              actor=actor, data={"masked": account.masked()})


def claim_mark_paid(*, claim_id: int, actor: User | None = None,
                    data: dict[str, Any] | None = None) -> Claim:
    """Record that the bank paid the claim (e-mails the consumer)."""
    return _transition(claim_id=claim_id, action="mark_paid",
                       actor_type="staff" if actor else "system", actor=actor, data=data)[0]


def claim_mark_payment_failed(*, claim_id: int, reason: str, actor: User | None = None,
                              data: dict[str, Any] | None = None) -> tuple[Claim, str]:
    """Record a failed or returned payment and e-mail the consumer a link for new bank details.

    ``reason`` is the bank's ISO 20022 reason code (the consumer reads it in their language).
    Returns the claim and the link token (the link is ``claims:new_bank``; new bank details
    put the claim back in the payout queue).
    """
    token, digest = token_new()
    with transaction.atomic():
        claim, event = _transition(
            claim_id=claim_id, action="mark_payment_failed",
            actor_type="staff" if actor else "system", actor=actor, reasons=[reason],
            data=data, link_token=token,
        )
        InfoRequestToken.objects.create(claim=claim, event=event, token_hash=digest)
    return claim, token


def claim_bank_update(*, claim_id: int, bank: BankIn, actor_type: str = "consumer",
                      actor: User | None = None) -> Claim:
    """Replace a claim's bank details (validated, sealed); the change is an event.

    After a failed payment the claim goes back to the payout queue. After approval, before
    payment, a change needs a fresh review: the claim goes back to review and the claimant is
    e-mailed (someone else may be changing their account).
    """
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("subject").get(pk=claim_id)
        subject_ensure_processable(claim.subject)
        _refuse_if_payment_in_flight(claim.pk)
        if claim.status not in BANK_EDITABLE:
            raise Conflict(_("Bank details cannot be changed any more for this claim."),
                           code="invalid_transition")
        _bank_replace(claim, bank, actor_type=actor_type, actor=actor)
        if claim.status == ClaimStatus.PAYMENT_FAILED and actor_type == "consumer" and not \
                holder_name_match(bank.account_holder, claim.first_name, claim.last_name).ok:
            # Money about to go to an account in someone else's name: an agent looks first.
            _transition(claim_id=claim.pk, action="rectify_bank", actor_type=actor_type,
                        data={"holder_name_differs": True}, notify=False)
        elif claim.status == ClaimStatus.PAYMENT_FAILED:
            _transition(claim_id=claim.pk, action="retry_payment", actor_type=actor_type,
                        actor=actor)
        elif claim.status == ClaimStatus.APPROVED:
            _transition(claim_id=claim.pk, action="reopen_for_bank_change",
                        actor_type=actor_type, actor=actor, notify=False)
    claim.refresh_from_db()
    return claim


def _link_use(row: InfoRequestToken) -> None:
    """Spend an e-mailed link: one conditional UPDATE, so two tries cannot both get through."""
    if not InfoRequestToken.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=utcnow()):
        raise NotFound(_("This link is not valid any more."), code="link_invalid")


def claim_payment_bank_give(*, token: str, bank: BankIn) -> Claim:
    """Take new bank details after a failed payment, through the link of the e-mail.

    The link works once. The claim goes back to finance for the next payment batch, or first
    to an agent when the account holder's name does not match the claimant's.
    """
    claim, row = info_token_claim(token=token)
    if claim.status != ClaimStatus.PAYMENT_FAILED:
        raise NotFound(_("This link is not valid any more."), code="link_invalid")
    with transaction.atomic():
        _link_use(row)
        claim = claim_bank_update(claim_id=claim.pk, bank=bank)
    return claim


def claim_bank_rectify(*, claim_id: int, bank: BankIn) -> Claim:
    """Correct bank details at the person's request (before payout): always a fresh review."""
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("subject").get(pk=claim_id)
        if claim.status not in BANK_EDITABLE:
            raise Conflict(_("Bank details cannot be changed any more for this claim."),
                           code="invalid_transition")
        _refuse_if_payment_in_flight(claim.pk)
        subject_ensure_processable(claim.subject)
        _bank_replace(claim, bank, actor_type="consumer", actor=None)
        if claim.status != ClaimStatus.IN_REVIEW:
            _transition(claim_id=claim.pk, action="rectify_bank", actor_type="consumer",
                        notify=False)
    claim.refresh_from_db()
    return claim


CONTACT_FIELDS = ("first_name", "last_name", "phone", "address_line1", "address_line2",
                  "postcode", "city")


def claim_contact_correct(*, claim_id: int, changes: dict[str, str],
                          actor_type: str = "consumer") -> list[str]:
    """Correct contact details on a claim (GDPR Art. 16); return the names of changed fields.

    The event names the fields, never the values; the claimant is e-mailed about it.
    """
    unknown = sorted(set(changes) - set(CONTACT_FIELDS))
    if unknown:
        raise DomainError(_("These details cannot be corrected here."), code="invalid_field",
                          fields={name: "not a contact field" for name in unknown})
    _refuse_control_chars(changes)
    with transaction.atomic():
        claim = _locked(claim_id)
        corrected = sorted(n for n, v in changes.items() if getattr(claim, n) != v)
        if not corrected:
            return []
        for name in corrected:
            setattr(claim, name, changes[name])
        claim.save(update_fields=[*corrected, "updated_at"])
        claim_event_record(claim=claim, kind="rectify_contact", actor_type=actor_type,
                           data={"corrected": corrected})
    return corrected


# -- Staged answer documents ------------------------------------------------------------------


def answer_file_stage(*, claim: Claim, draft: ClaimDraft, safe: SafeFile) -> ReceiptFile:
    """Stage a document for an answer; the claim's own files count against the limit too."""
    if claim.files.count() + draft.files.count() >= MAX_FILES_PER_CLAIM:
        raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                          code="too_many_files")
    return draft_add_file(draft=draft, safe=safe)


def claim_answer_info_staged(*, token: str, draft: ClaimDraft | None, message: str = "",
                             corrections: dict[str, str] | None = None) -> Claim:
    """Answer with the documents staged in ``draft``, vetted again, then empty the draft."""
    if draft is None:
        return claim_answer_info(token=token, message=message, corrections=corrections)
    staged = list(draft.files.all())
    key = bytes(draft.wrapped_key)
    uploads = [receipt_vet(data=receipt_read(receipt=f, draft_key=key), name=f.display_name,
                           content_type=f.content_type) for f in staged]
    claim = claim_answer_info(token=token, message=message, uploads=uploads,
                              corrections=corrections)
    for f in staged:
        draft_remove_file(draft=draft, file_id=str(f.id))
    return claim
