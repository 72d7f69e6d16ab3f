"""Privacy hooks other apps call explicitly (no signals), and the data subject's rights."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rabatt.core import crypto
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash, token_new
from rabatt.privacy.audit import audit_record
from rabatt.privacy.classification import Erasure, ModelMap, datamap
from rabatt.privacy.consent import NOTICE_VERSION, consent_given, consent_record
from rabatt.privacy.models import (
    Consent,
    ConsentPurpose,
    LegalHold,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
    Subject,
)
from rabatt.privacy.subjects import (
    email_normalise,
    subject_ensure_processable,
    subject_find,
    subject_for_email,
)

REQUEST_LINK_HOURS = 24
ANSWER_DAYS = 30  # GDPR Art. 12(3): one month
# A payment is in flight: erasing now needs a person to decide (stop the payment or wait).
IN_FLIGHT = ("approved", "payment_failed")
# Bank details may be corrected only before the money has left.
BANK_EDITABLE = ("submitted", "in_review", "info_requested", "approved", "payment_failed")
CONTACT_FIELDS = ("first_name", "last_name", "phone", "address_line1", "address_line2",
                  "postcode", "city")


class Gone(DomainError):
    code = "link_expired"
    status = 410


def consent_backfill_from_claims(*, subject: Subject) -> int:
    """Write ledger rows for claims whose marketing consent never reached the ledger."""
    from rabatt.claims.models import Claim

    if Consent.objects.filter(subject=subject, purpose=ConsentPurpose.MARKETING).exists():
        return 0
    claim = Claim.objects.filter(subject=subject).order_by("-submitted_at").first()
    if claim is None:
        return 0
    Consent.objects.create(subject=subject, purpose=ConsentPurpose.MARKETING,
                           given=claim.marketing_consent, notice_version=claim.terms_version,
                           source="claim_form", at=claim.submitted_at)
    return 1


# --- rights requests -------------------------------------------------------------------------


def _email_rows(emails: set[str]) -> dict[str, list[Any]]:
    """Rows kept by e-mail address (not linked to a Subject), per model."""
    found: dict[str, list[Any]] = {}
    if not emails:
        return found
    for label, entry in datamap().items():
        if entry.email is None:
            continue
        model = apps.get_model(label)
        ids = list(model.objects.filter(**{f"{entry.email}__in": sorted(emails)})
                   .values_list("pk", flat=True))
        if ids:
            found[label] = [str(i) for i in ids]
    return found


def privacy_request_create(*, email: str, kind: str, locale: str = "en",
                           now: datetime | None = None) -> str | None:
    """Record a request and e-mail its confirmation link; return the link's token.

    For an address we hold nothing about, e-mail that we hold nothing and return None. The
    caller (API, form) answers the same in both cases, so nobody learns whether we know an
    address; only its owner reads the answer.
    """
    if kind not in RequestKind.values:
        raise DomainError(_("Unknown kind of request."), code="invalid_kind")
    now = now or utcnow()
    normalised = email_normalise(email)
    subject = subject_find(email=normalised)
    email_rows = _email_rows({normalised})
    if subject is None and not email_rows:
        _send(to=normalised, locale=locale, template="privacy/email/request_unknown",
              context={"kind": RequestKind(kind).label})
        audit_record(actor="consumer", action="rights_request_unknown", what=kind)
        return None
    if subject is None:
        subject = subject_for_email(email=normalised)
    token, digest = token_new()
    request = PrivacyRequest.objects.create(
        subject=subject, kind=kind, token_hash=digest, locale=locale[:8], created_at=now,
        expires_at=now + timedelta(hours=REQUEST_LINK_HOURS),
        due_at=now + timedelta(days=ANSWER_DAYS), outcome={"email_rows": email_rows},
    )
    audit_record(actor="consumer", action="rights_request", subject=subject, what=kind)
    _send(to=normalised, locale=locale, template="privacy/email/request_link",
          context={"kind": RequestKind(kind).label, "url": request_url(token),
                   "hours": REQUEST_LINK_HOURS, "request": request})
    return token


def request_url(token: str) -> str:
    return f"{settings.SITE_URL}/privacy/{token}"


def _send(*, to: str, locale: str, template: str, context: dict[str, Any]) -> None:
    with translation.override(locale if locale in dict(settings.LANGUAGES) else "en"):
        context = {**context, "privacy_url": f"{settings.SITE_URL}/privacy/"}
        subject = render_to_string(f"{template}.subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    mail.EmailMessage(subject=subject, body=body, to=[to]).send()


def privacy_request_for_token(*, token: str, now: datetime | None = None) -> PrivacyRequest:
    """The request a link belongs to, if it may still be used: 404 unknown, 410 used/expired."""
    request = PrivacyRequest.objects.select_related("subject").filter(
        token_hash=token_hash(token)).first()
    if request is None:
        raise NotFound(_("This link is not valid."), code="link_invalid")
    if request.confirmed_at is not None or request.expires_at <= (now or utcnow()):
        raise Gone(_("This link has expired or was already used. Please make a new request."))
    return request


def _use(token: str, kind: str | tuple[str, ...]) -> PrivacyRequest:
    """Lock the request and mark its link used (a link works once)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    request = privacy_request_for_token(token=token)
    if request.kind not in kinds:
        raise Conflict(_("This link is for a different kind of request."), code="wrong_kind")
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().select_related("subject").get(
            pk=request.pk)
        if locked.confirmed_at is not None:
            raise Gone(_("This link has expired or was already used. Please make a new "
                         "request."))
        locked.confirmed_at = utcnow()
        locked.save(update_fields=["confirmed_at"])
    return locked


def _complete(request: PrivacyRequest, outcome: dict[str, Any], *,
              status: str = RequestStatus.DONE, actor: Any = "consumer") -> None:
    request.status = status
    request.outcome = {**request.outcome, **outcome}
    if status == RequestStatus.DONE or status == RequestStatus.REFUSED:
        request.completed_at = utcnow()
    if not isinstance(actor, str):
        request.handled_by = actor
    request.save(update_fields=["status", "outcome", "completed_at", "handled_by"])
    audit_record(actor=actor, action=f"rights_{request.kind}_{status}", subject=request.subject)


def access_request_export(*, token: str) -> tuple[str, bytes]:
    """Use an access link: return a file name and the ZIP of everything we hold."""
    from rabatt.privacy.export import subject_export_zip

    request = _use(token, RequestKind.ACCESS)
    data = subject_export_zip(subject=request.subject, request=request)
    _complete(request, {"exported_bytes": len(data)})
    return f"rabatt-data-{request.created_at:%Y%m%d}.zip", data


def privacy_request_confirm(*, token: str) -> dict[str, Any]:
    """Use an erasure, restriction or objection link and carry it out; return what was done."""
    request = _use(token, (RequestKind.ERASURE, RequestKind.RESTRICTION, RequestKind.OBJECTION))
    subject = request.subject
    if request.kind == RequestKind.ERASURE:
        in_flight = _claims(subject).filter(status__in=IN_FLIGHT).count()
        if in_flight:
            _complete(request, {"queued_because": "payment_in_flight"},
                      status=RequestStatus.QUEUED)
            return {"kind": request.kind, "status": request.status,
                    "due_at": request.due_at.isoformat(),
                    "message": str(_("A payment to you is under way. The privacy officer will "
                                     "finish the erasure and answer you before the deadline."))}
        outcome = subject_erase(subject=subject, request=request)
    elif request.kind == RequestKind.RESTRICTION:
        outcome = subject_restrict(subject=subject)
    else:
        outcome = subject_object(subject=subject)
    _complete(request, outcome)
    return {"kind": request.kind, "status": request.status, "done": outcome}


def privacy_request_decide(*, request_id: int, actor: AbstractBaseUser, erase: bool,
                           note: str = "") -> PrivacyRequest:
    """The privacy officer's decision on a queued request."""
    from rabatt.accounts.roles import require

    require(actor, "privacy.manage")
    request = PrivacyRequest.objects.select_related("subject").filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No such request."))
    if request.status != RequestStatus.QUEUED:
        raise Conflict(_("This request is not waiting for a decision."), code="not_queued")
    if erase:
        outcome = subject_erase(subject=request.subject, request=request, hold_in_flight=True,
                                actor=actor)
        _complete(request, {**outcome, "note": note[:200]}, actor=actor)
    else:
        _complete(request, {"note": note[:200]}, status=RequestStatus.REFUSED, actor=actor)
    return request


# --- restriction, objection ------------------------------------------------------------------


def subject_restrict(*, subject: Subject) -> dict[str, Any]:
    """Keep the person's data but stop every processing of it (GDPR Art. 18)."""
    updated = Subject.objects.filter(pk=subject.pk, restricted_at__isnull=True).update(
        restricted_at=utcnow())
    subject.refresh_from_db()
    return {"restricted": True, "already": not updated}


def subject_restriction_lift(*, subject: Subject, actor: AbstractBaseUser) -> None:
    """The privacy officer lifts a restriction (the person asked, or the reason is gone)."""
    from rabatt.accounts.roles import require

    require(actor, "privacy.manage")
    Subject.objects.filter(pk=subject.pk).update(restricted_at=None)
    subject.refresh_from_db()
    audit_record(actor=actor, action="restriction_lifted", subject=subject)


def subject_object(*, subject: Subject) -> dict[str, Any]:
    """Objection (GDPR Art. 21): withdraw every consent, stop legitimate-interest processing
    that can stop, and put the addresses on the suppression list."""
    withdrawn = []
    for purpose in ConsentPurpose.values:
        if consent_given(subject=subject, purpose=purpose) is not False:
            consent_record(subject=subject, purpose=purpose, given=False,
                           notice_version=NOTICE_VERSION, source="privacy_request")
            withdrawn.append(purpose)
    Subject.objects.filter(pk=subject.pk, objected_at__isnull=True).update(objected_at=utcnow())
    subject.refresh_from_db()
    suppressed = 0
    if apps.is_installed("rabatt.codes"):
        try:
            suppression = apps.get_model("codes", "Suppression")
        except LookupError:
            suppression = None
        if suppression is not None:
            for email in _claim_emails(subject):
                _row, created = suppression.objects.get_or_create(
                    email_normalised=email, defaults={"reason": "unsubscribed",
                                                      "detail": "privacy objection"})
                suppressed += int(created)
    return {"consents_withdrawn": withdrawn, "objected": True, "suppressed": suppressed}


# --- rectification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BankCorrection:
    claim_id: int
    account_holder: str
    iban: str = ""
    account_number: str = ""
    bank_code: str = ""


def rectification_apply(*, token: str, contact: dict[str, str],
                        bank: BankCorrection | None = None) -> dict[str, Any]:
    """Use a rectification link (GDPR Art. 16): correct contact details on every claim of the
    person and, before payout, the bank details of one claim, which then goes back to review.

    Everything is checked before the link is used, and the link, the corrections and their
    events commit together: a refused correction leaves the link usable and nothing changed.
    Bank details go through ``claim_bank_rectify`` (it validates, seals, writes the events,
    e-mails the claimant and moves the claim to review).
    """
    from rabatt.claims.models import ClaimEvent
    from rabatt.claims.services import BankIn, bank_validate, claim_bank_rectify
    from rabatt.notifications.services import claim_event_notify

    request = privacy_request_for_token(token=token)
    if request.kind != RequestKind.RECTIFICATION:
        raise Conflict(_("This link is for a different kind of request."), code="wrong_kind")
    subject = request.subject
    subject_ensure_processable(subject)
    changes = {k: v.strip() for k, v in contact.items()
               if k in CONTACT_FIELDS and isinstance(v, str) and v.strip()}
    bank_in = None
    claim = None
    if bank is not None:
        claim = _claims(subject).filter(pk=bank.claim_id).first()
        if claim is None:
            raise NotFound(_("No such claim."))
        if claim.status not in BANK_EDITABLE:
            raise Conflict(_("Bank details can be corrected only before the payment."),
                           code="bank_locked")
        bank_in = BankIn(account_holder=bank.account_holder, fields={
            k: v.strip() for k, v in (("iban", bank.iban), ("account_number",
                                                            bank.account_number),
                                      ("bank_code", bank.bank_code)) if v.strip()})
        # Validate before using the link, so that a typo does not cost the person their link.
        bank_validate(country=claim.address_country, currency=claim.currency, bank=bank_in)
    if not changes and bank_in is None:
        raise DomainError(_("Nothing to correct."), code="nothing_to_correct")
    done: dict[str, Any] = {"contact_fields": sorted(changes), "contact_claims": [],
                            "bank_claim": None}
    with transaction.atomic():
        request = _use(token, RequestKind.RECTIFICATION)
        now = utcnow()
        for row in _claims(subject).select_for_update().order_by("pk"):
            corrected = sorted(n for n, v in changes.items() if getattr(row, n) != v)
            if not corrected:
                continue
            for name in corrected:
                setattr(row, name, changes[name])
            row.save(update_fields=[*corrected, "updated_at"])
            # Like every claim event: who (the consumer), what (field names, never values).
            event = ClaimEvent.objects.create(claim=row, at=now, actor_type="consumer",
                                              kind="rectify_contact",
                                              data={"corrected": corrected})
            transaction.on_commit(partial(claim_event_notify, event_id=event.pk))
            audit_record(actor="consumer", action="rectify_contact", subject=subject,
                         claim_id=row.pk, what=",".join(corrected))
            done["contact_claims"].append(row.reference)
        if claim is not None and bank_in is not None:
            rectified = claim_bank_rectify(claim_id=claim.pk, bank=bank_in)
            audit_record(actor="consumer", action="rectify_bank", subject=subject,
                         claim_id=claim.pk, what="bank")
            done["bank_claim"] = rectified.reference
            done["claim_status"] = rectified.status
        _complete(request, done)
    return done


# --- erasure ---------------------------------------------------------------------------------


def _claims(subject: Subject) -> models.QuerySet[Any]:
    from rabatt.claims.models import Claim

    return Claim.objects.filter(subject=subject)


def _claim_emails(subject: Subject) -> set[str]:
    return {email_normalise(e) for e in _claims(subject).values_list("email", flat=True)
            if e and not e.endswith(".invalid")}


def held_claim_ids(*, subject: Subject, hold_in_flight: bool = False) -> set[int]:
    """Claims we must keep (pseudonymised, restricted): paid ones (accounting law), those under
    a legal hold, and, when the privacy officer decides so, those with a payment in flight."""
    from rabatt.claims.models import ClaimEvent

    claims = _claims(subject)
    statuses = ["paid", *IN_FLIGHT] if hold_in_flight else ["paid"]
    held = set(claims.filter(status__in=statuses).values_list("pk", flat=True))
    held |= set(ClaimEvent.objects.filter(claim__subject=subject, kind="mark_paid")
                .values_list("claim_id", flat=True))
    held |= set(LegalHold.objects.filter(claim__subject=subject, released_at__isnull=True)
                .values_list("claim_id", flat=True))
    return held


def _depth(entry: ModelMap) -> int:
    path = entry.subject if entry.subject is not None else entry.email or ""
    return path.count("__") + (1 if path else 0)


def _claim_path(entry: ModelMap) -> str | None:
    """ORM path from the model to its claim's id, if its rows belong to a claim."""
    if entry.model == "claims.Claim":
        return "pk"
    if entry.subject and entry.subject.endswith("claim__subject"):
        return entry.subject[: -len("__subject")] + "_id" if entry.subject == "claim__subject" \
            else entry.subject[: -len("__subject")] + "__id"
    return None


def subject_querysets(*, subject: Subject,
                      email_rows: dict[str, list[Any]] | None = None
                      ) -> list[tuple[ModelMap, models.QuerySet[Any]]]:
    """Every mapped row about a person, per model (deepest first: children before parents)."""
    email_rows = dict(email_rows or {})
    for label, ids in _email_rows(_claim_emails(subject)).items():
        email_rows[label] = sorted({*email_rows.get(label, []), *ids})
    out = []
    for entry in sorted(datamap().values(), key=lambda e: (-_depth(e), e.model)):
        if not any(d.of == "subject" for d in entry.personal_fields().values()):
            continue
        model = apps.get_model(entry.model)
        if entry.subject is not None:
            lookup = "pk" if entry.subject == "" else entry.subject
            qs = model.objects.filter(**{lookup: subject.pk})
        elif entry.email is not None:
            qs = model.objects.filter(pk__in=email_rows.get(entry.model, []))
        else:
            continue
        out.append((entry, qs))
    return out


def _delete_receipt_files(receipts: models.QuerySet[Any]) -> int:
    from rabatt.receipts.services import _path

    count = 0
    for file_id in receipts.values_list("pk", flat=True):
        _path(str(file_id)).unlink(missing_ok=True)
        count += 1
    return count


def subject_erase(*, subject: Subject, request: PrivacyRequest | None = None,
                  hold_in_flight: bool = False, actor: Any = "consumer") -> dict[str, Any]:
    """Erase a person (GDPR Art. 17), as the data map declares field by field.

    Rows under a legal obligation (paid claims) or a legal hold are kept, pseudonymised and
    restricted; everything else is deleted. Receipts and bank details are destroyed with the
    person's data key (crypto-shredding), so copies in backups cannot be read either.
    """
    from rabatt.claims.models import Claim, ClaimDraft
    from rabatt.receipts.models import ReceiptFile

    deleted: Counter[str] = Counter()
    pseudonymised: Counter[str] = Counter()
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.erased_at is not None:
            return {"already_erased": True}
        held = held_claim_ids(subject=subject, hold_in_flight=hold_in_flight)
        email_rows = dict(request.outcome.get("email_rows", {})) if request else {}
        claim_ids = list(_claims(subject).values_list("pk", flat=True))
        # Files first: the rows go with their claims, the sealed files must go from disk.
        receipts = ReceiptFile.objects.filter(
            models.Q(claim_id__in=claim_ids) | models.Q(draft__claim_id__in=claim_ids)
            | models.Q(subject=subject))
        deleted["files"] = _delete_receipt_files(receipts)
        deleted["receipts.ReceiptFile"] = receipts.delete()[1].get("receipts.ReceiptFile", 0)
        deleted["claims.ClaimDraft"] = ClaimDraft.objects.filter(
            claim_id__in=claim_ids).delete()[1].get("claims.ClaimDraft", 0)
        for entry, qs in subject_querysets(subject=subject, email_rows=email_rows):
            if entry.model in ("privacy.Subject", "receipts.ReceiptFile", "claims.ClaimDraft"):
                continue
            fields = {n: d for n, d in entry.personal_fields().items() if d.of == "subject"}
            if all(d.erasure == Erasure.KEEP for d in fields.values()):
                continue  # proof we must keep (requests, audit, suppression list)
            claim_path = _claim_path(entry)
            destroy = any(d.erasure in (Erasure.DELETE, Erasure.SHRED) for d in fields.values())
            keep_qs = qs.filter(**{f"{claim_path}__in": held}) if claim_path else qs.none()
            drop_qs = qs.exclude(**{f"{claim_path}__in": held}) if claim_path else qs
            if destroy:
                drop_qs = qs
                keep_qs = qs.none()
            updates = {n: _pseudonym(entry, n, d.pseudonym) for n, d in fields.items()
                       if d.erasure == Erasure.PSEUDONYMISE}
            if entry.model == "claims.Claim":
                LegalHold.objects.filter(claim__in=drop_qs, released_at__isnull=False).delete()
                for claim in list(drop_qs):
                    try:
                        with transaction.atomic():
                            claim.delete()
                        deleted[entry.model] += 1
                    except ProtectedError:
                        # Something (e.g. an access log) must keep pointing at it: keep the
                        # row, pseudonymised and restricted like a paid claim.
                        held.add(claim.pk)
                keep_qs = Claim.objects.filter(pk__in=held, subject=subject)
            else:
                try:
                    with transaction.atomic():
                        deleted[entry.model] += drop_qs.delete()[1].get(entry.model, 0)
                except ProtectedError:
                    # Other people's rows point at these (e.g. friends of a referral): keep
                    # them, emptied of what the map lets us remove.
                    keep_qs = drop_qs
            if updates:
                pseudonymised[entry.model] += keep_qs.update(**updates)
        Consent.objects.filter(subject=subject).delete()
        subject.wrapped_key = None
        subject.email_digest = ""
        subject.erased_at = utcnow()
        subject.restricted_at = subject.restricted_at or subject.erased_at
        subject.save(update_fields=["wrapped_key", "email_digest", "erased_at", "restricted_at"])
        audit_record(actor=actor, action="subject_erased", subject=subject,
                     what=f"kept {len(held)} claim(s)")
    return {"erased": True, "key_destroyed": True, "kept_claims": len(held),
            "deleted": {k: v for k, v in deleted.items() if v},
            "pseudonymised": {k: v for k, v in pseudonymised.items() if v}}


def _pseudonym(entry: ModelMap, name: str, value: Any) -> Any:
    if value is not None:
        return value
    field = apps.get_model(entry.model)._meta.get_field(name)
    return None if field.null else ""


# --- partners: keyed hashes only -------------------------------------------------------------


def _partner_key(partner: str) -> bytes:
    """A random key per partner in the key directory: hashes for two partners cannot be
    matched with each other, and a partner cannot reverse them by hashing guesses."""
    import os
    import re
    import secrets

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", partner):
        raise DomainError(_("A partner name is lower-case letters, digits, - and _."),
                          code="invalid_partner")
    directory = crypto.keys_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"partner-{partner}.key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def partner_email_hash(*, partner: str, email: str) -> str:
    return hmac.new(_partner_key(partner), email_normalise(email).encode(),
                    hashlib.sha256).hexdigest()


def partner_export(*, partner: str, campaign_slug: str) -> list[str]:
    """Keyed hashes of the e-mail addresses of a campaign's claimants who consented to
    advertising with partners (and did not restrict, object or erase since)."""
    from rabatt.claims.models import Claim
    hashes = set()
    subjects = Subject.objects.filter(claims__campaign__slug=campaign_slug, erased_at__isnull=True,
                                      restricted_at__isnull=True,
                                      objected_at__isnull=True).distinct()
    for subject in subjects:
        if consent_given(subject=subject, purpose=ConsentPurpose.PARTNER_ADVERTISING) is not True:
            continue
        for email in Claim.objects.filter(subject=subject).values_list("email", flat=True):
            hashes.add(partner_email_hash(partner=partner, email=email))
    audit_record(actor="system", action="partner_export", what=f"{partner}: {len(hashes)}")
    return sorted(hashes)


# --- keys ------------------------------------------------------------------------------------


def wrapped_key_models() -> list[type[models.Model]]:
    """Every model that stores a data key wrapped by a master key (a ``wrapped_key`` field):
    people, claim drafts, payout batches, and whatever is added later."""
    return [m for m in apps.get_models()
            if m.__module__.startswith("rabatt.")
            and any(f.name == "wrapped_key" and isinstance(f, models.BinaryField)
                    for f in m._meta.concrete_fields)]


def keys_rotate(*, batch: int = 500) -> dict[str, Any]:
    """Add a master key and re-wrap every data key with it (people, drafts, payout batches).

    Old master keys keep working for unwrapping, so this needs no downtime; once it has run,
    an old key can be moved out of the key directory (keep it with the backups it protects).
    """
    path = crypto.master_key_create()
    counts: dict[str, Any] = {"master_key": path.name, "rewrapped": {}}
    for model in wrapped_key_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        done = 0
        last: Any = None
        while True:
            qs = model._default_manager.exclude(wrapped_key=None).order_by("pk")
            if last is not None:
                qs = qs.filter(pk__gt=last)
            ids: list[Any] = list(qs.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                for row in model._default_manager.select_for_update().filter(pk__in=ids):
                    wrapped = row.wrapped_key  # type: ignore[attr-defined]
                    if wrapped:
                        row.wrapped_key = crypto.data_key_rewrap(  # type: ignore[attr-defined]
                            bytes(wrapped))
                        row.save(update_fields=["wrapped_key"])
                        done += 1
            last = ids[-1]
        counts["rewrapped"][label] = done
    audit_record(actor="system", action="keys_rotated", what=path.name)
    return counts
