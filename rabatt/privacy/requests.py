"""Rights requests: asked for by address, proven by the e-mailed link, carried out, answered.

A request moves as ``privacy/transitions.py`` says, through :func:`privacy_request_transition`
alone, which writes the audit entry of every move. A link works once: using it and carrying out
what it asks for commit together, so a refusal leaves the link usable.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rabatt.accounts.roles import require
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash
from rabatt.core.transitions import apply
from rabatt.notifications.models import OutboundEmail
from rabatt.privacy.audit import audit_record
from rabatt.privacy.emails import (
    KIND_PREFIX,
    REQUEST_LINK_HOURS,
    link_seed,
    link_token,
    request_link_email_queue,
    request_unknown_email_queue,
)
from rabatt.privacy.erasure import payment_in_flight, subject_erase
from rabatt.privacy.export import subject_export_zip
from rabatt.privacy.holdings import EmailRows, email_rows
from rabatt.privacy.models import PrivacyRequest, RequestKind
from rabatt.privacy.restriction import subject_object, subject_restrict
from rabatt.privacy.subjects import email_normalise, subject_find, subject_for_email
from rabatt.privacy.transitions import ANSWERED, DECIDABLE, TRANSITIONS

ANSWER_DAYS = 30  # GDPR Art. 12(3): one month
# Requests carried out as soon as the link is followed (access and rectification have their own).
CONFIRMABLE = (RequestKind.ERASURE, RequestKind.RESTRICTION, RequestKind.OBJECTION)
PERMISSION = "privacy.manage"


class Gone(DomainError):
    """A link that was used or has expired (410)."""

    code = "link_expired"
    status = 410


def _held_by_address(rows: EmailRows) -> bool:
    # Rows kept by address make it known, except our own answers to earlier privacy requests:
    # asking twice must not turn an unknown address into a person.
    outbox = OutboundEmail._meta.label
    if any(ids for label, ids in rows.items() if label != outbox):
        return True
    return OutboundEmail.objects.filter(pk__in=rows.get(outbox, [])).exclude(
        kind__startswith=KIND_PREFIX).exists()


def privacy_request_create(*, email: str, kind: str, locale: str = "en",
                           now: datetime | None = None) -> str | None:
    """Record a request and e-mail its link; return the link's token (None: address unknown)."""
    # For an address we hold nothing about, the e-mail says so and nothing else is stored. The
    # caller (API, form) answers the same in both cases, so nobody learns whether we know an
    # address; only its owner reads the answer.
    if kind not in RequestKind.values:
        raise DomainError(_("Unknown kind of request."), code="invalid_kind")
    now = now or utcnow()
    normalised = email_normalise(email)
    with transaction.atomic():
        subject = subject_find(email=normalised)
        rows = email_rows(emails={normalised})
        if subject is None and not _held_by_address(rows):
            request_unknown_email_queue(to=normalised, kind=kind, locale=locale)
            audit_record(actor="consumer", action="rights_request_unknown", what=kind)
            return None
        if subject is None:
            subject = subject_for_email(email=normalised)
        seed = link_seed()
        token = link_token(seed=seed)
        request = PrivacyRequest.objects.create(
            subject=subject, kind=kind, token_hash=token_hash(token), locale=locale[:8],
            created_at=now, expires_at=now + timedelta(hours=REQUEST_LINK_HOURS),
            due_at=now + timedelta(days=ANSWER_DAYS), outcome={"email_rows": rows},
        )
        audit_record(actor="consumer", action="rights_request", subject=subject, what=kind)
        request_link_email_queue(request=request, to=normalised, seed=seed)
    return token


def privacy_request_for_token(*, token: str, kinds: tuple[str, ...] | None = None,
                              now: datetime | None = None) -> PrivacyRequest:
    """Return the request of a usable link: 404 unknown, 410 used or expired, 409 other kind."""
    request = PrivacyRequest.objects.select_related("subject").filter(
        token_hash=token_hash(token)).first()
    if request is None:
        raise NotFound(_("This link is not valid."), code="link_invalid")
    if request.confirmed_at is not None or request.expires_at <= (now or utcnow()):
        raise Gone(_("This link has expired or was already used. Please make a new request."))
    if kinds is not None and request.kind not in kinds:
        raise Conflict(_("This link is for a different kind of request."), code="wrong_kind")
    return request


def _locked(request_id: int) -> PrivacyRequest:
    return PrivacyRequest.objects.select_for_update().select_related("subject").get(
        pk=request_id)


def privacy_request_use(*, token: str, kinds: tuple[str, ...]) -> PrivacyRequest:
    """Mark a link used (it works once); return its request, locked until the caller commits."""
    request = privacy_request_for_token(token=token, kinds=kinds)
    with transaction.atomic():
        locked = _locked(request.pk)
        if locked.confirmed_at is not None:
            raise Gone(_("This link has expired or was already used. Please make a new "
                         "request."))
        locked.confirmed_at = utcnow()
        locked.save(update_fields=["confirmed_at"])
    return locked


def privacy_request_transition(*, request_id: int, action: str,
                               actor: AbstractBaseUser | str,
                               outcome: dict[str, Any]) -> PrivacyRequest:
    """Move a request as the table allows, add ``outcome`` to its record, and audit the move."""
    actor_type = actor if isinstance(actor, str) else "staff"
    with transaction.atomic():
        request = _locked(request_id)
        row = TRANSITIONS.check(action, status=request.status, actor_type=actor_type)
        changes: dict[str, Any] = {"outcome": {**request.outcome, **outcome}}
        if row.target in ANSWERED:
            changes["completed_at"] = utcnow()
        if not isinstance(actor, str):
            changes["handled_by"] = actor
        apply(request, row, changes=changes)
        audit_record(actor=actor, action=f"rights_{request.kind}_{row.target}",
                     subject=request.subject)
    return request


def access_request_export(*, token: str) -> tuple[str, bytes]:
    """Use an access link: return a file name and the ZIP of everything we hold."""
    request = privacy_request_for_token(token=token, kinds=(RequestKind.ACCESS,))
    # Built before the link is used and with no lock held: a failure leaves the link usable.
    data = subject_export_zip(subject=request.subject, request=request)
    with transaction.atomic():
        request = privacy_request_use(token=token, kinds=(RequestKind.ACCESS,))
        privacy_request_transition(request_id=request.pk, action="complete", actor="consumer",
                                   outcome={"exported_bytes": len(data)})
    return f"rabatt-data-{request.created_at:%Y%m%d}.zip", data


def privacy_request_confirm(*, token: str) -> dict[str, Any]:
    """Use an erasure, restriction or objection link and carry it out; return what was done."""
    with transaction.atomic():
        request = privacy_request_use(token=token, kinds=CONFIRMABLE)
        subject = request.subject
        if request.kind == RequestKind.ERASURE and payment_in_flight(subject=subject):
            request = privacy_request_transition(
                request_id=request.pk, action="queue", actor="consumer",
                outcome={"queued_because": "payment_in_flight"})
            return {"kind": request.kind, "status": request.status,
                    "due_at": request.due_at.isoformat(),
                    "message": str(_("A payment to you is under way. The privacy officer will "
                                     "finish the erasure and answer you before the deadline."))}
        if request.kind == RequestKind.ERASURE:
            outcome = subject_erase(subject=subject, request=request)
        elif request.kind == RequestKind.RESTRICTION:
            outcome = subject_restrict(subject=subject)
        else:
            outcome = subject_object(subject=subject)
        request = privacy_request_transition(request_id=request.pk, action="complete",
                                             actor="consumer", outcome=outcome)
    return {"kind": request.kind, "status": request.status, "done": outcome}


def privacy_request_decide(*, request_id: int, actor: AbstractBaseUser, erase: bool,
                           note: str = "") -> PrivacyRequest:
    """Record the privacy officer's decision on a queued request: erase, or refuse."""
    require(actor, PERMISSION)
    with transaction.atomic():
        request = PrivacyRequest.objects.select_for_update().select_related("subject").filter(
            pk=request_id).first()
        if request is None:
            raise NotFound(_("No such request."))
        if request.status not in DECIDABLE:
            raise Conflict(_("This request is not waiting for a decision."), code="not_queued")
        if not erase:
            return privacy_request_transition(request_id=request.pk, action="refuse",
                                              actor=actor, outcome={"note": note[:200]})
        outcome = subject_erase(subject=request.subject, request=request, hold_in_flight=True,
                                actor=actor)
        return privacy_request_transition(request_id=request.pk, action="erase", actor=actor,
                                          outcome={**outcome, "note": note[:200]})
