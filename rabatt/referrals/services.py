"""Writes of the referral programme: links, friends, progress links, abuse signals."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign
from rabatt.claims.models import Claim
from rabatt.codes.alphabet import normalise
from rabatt.codes.models import Code, CodeStatus, Recipient
from rabatt.codes.services import code_issue_one
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.ratelimit import RateLimited
from rabatt.core.timeutil import utcnow
from rabatt.referrals.addresses import email_canonical, email_is_disposable
from rabatt.referrals.emails import (
    friend_code_email_outcome,
    friend_code_email_queue,
    progress_link_email_queue,
)
from rabatt.referrals.models import MAX_FRIENDS, Friend, Referral, ReferralEvent
from rabatt.referrals.selectors import referral_by_token, referral_options

PROGRESS_SALT = "rabatt.referrals.progress"


def ip_prefix(ip: str) -> str:
    """The network a client is on: its IPv4 /24 or IPv6 /64 (bursts from one network)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    bits = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def _event(referral: Referral, kind: str, *, friend: Friend | None = None,
           data: dict[str, Any] | None = None, at: datetime | None = None) -> ReferralEvent:
    return ReferralEvent.objects.create(at=at or utcnow(), kind=kind, referral=referral,
                                        friend=friend, data=data or {})


def _checked_email(email: str, field: str = "email") -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), code="invalid_email",
                          fields={field: "invalid"}) from None
    return email


def _owner_email(code: Code) -> str:
    """The e-mail of the person who holds a code: their claim's, else the distribution's."""
    claimed = Claim.objects.filter(code=code).values_list("email", flat=True).first()
    if claimed:
        return claimed
    sent = Recipient.objects.filter(code=code).values_list("email", flat=True).first()
    return sent or ""


def referral_link(*, campaign: Campaign, code_text: str, email: str | None = None,
                  device_id: str = "", ip: str = "") -> tuple[Referral, bool]:
    """Return the personal link of the holder of ``code_text`` and whether it is new.

    Any code of the campaign that exists and is not void proves eligibility.
    """
    if not referral_options(campaign=campaign).enabled:
        raise DomainError(_("This campaign has no referral programme."),
                          code="referrals_not_offered")
    canonical = normalise(code_text)
    if canonical is None:
        raise DomainError(_("This code is not valid. Please check it for typing errors."),
                          code="code_invalid", fields={"code": "invalid"})
    code = Code.objects.filter(campaign=campaign, code=canonical).first()
    if code is None:
        raise NotFound(_("We do not know this code for this campaign."), code="code_unknown")
    if code.status == CodeStatus.VOID:
        raise DomainError(_("This code is no longer valid."), code="code_void")
    given = _checked_email(email) if email else ""
    existing = Referral.objects.filter(code=code).first()
    if existing is not None:
        if given and not existing.email:
            _referral_set_email(existing, given)
        return existing, False
    owner = _owner_email(code) or given
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                campaign=campaign, code=code, token=secrets.token_urlsafe(24), email=owner,
                email_canonical=email_canonical(owner) if owner else "",
                device_id=device_id[:64], ip_prefix=ip_prefix(ip), created_at=utcnow(),
            )
            _event(referral, "link_created",
                   data={"email_source": "code" if owner != given else
                         ("given" if given else "none")})
    except IntegrityError:  # the same code asked twice at once
        return Referral.objects.get(code=code), False
    return referral, True


def _referral_set_email(referral: Referral, email: str) -> None:
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if not locked.email:
            locked.email = email
            locked.email_canonical = email_canonical(email)
            locked.save(update_fields=["email", "email_canonical"])
            _event(locked, "email_added")
    referral.refresh_from_db()


@dataclass(frozen=True)
class FriendIn:
    name: str
    email: str
    locale: str = "en"
    consent: bool = False
    honeypot: str = ""
    device_id: str = ""
    ip: str = ""


def _signals(referral: Referral, data: FriendIn, prefix: str, canonical: str,
             since: datetime) -> dict[str, Any]:
    signals: dict[str, Any] = {}
    if data.device_id and data.device_id == referral.device_id:
        signals["same_device_as_referrer"] = True
    if data.device_id:
        seen = Friend.objects.filter(device_id=data.device_id).count()
        if seen:
            signals["device_seen_before"] = seen
    if prefix and prefix == referral.ip_prefix:
        signals["same_network_as_referrer"] = prefix
    if prefix:
        recent = Friend.objects.filter(ip_prefix=prefix, created_at__gte=since).count()
        if recent:
            signals["network_signups_last_hour"] = recent
    if Referral.objects.filter(campaign=referral.campaign, email_canonical=canonical).exists():
        signals["friend_is_a_referrer"] = True
    return signals


def friend_signup(*, token: str, data: FriendIn, now: datetime | None = None) -> Friend:
    """Sign a friend up through a link: check, take one of the 3 slots, issue their code.

    The code e-mail is queued in the outbox with the sign-up. Refusals store nothing.
    """
    now = now or utcnow()
    referral = referral_by_token(token=token)
    campaign = referral.campaign
    options = referral_options(campaign=campaign)
    if not options.enabled:
        raise DomainError(_("This campaign has no referral programme."),
                          code="referrals_not_offered")
    if data.honeypot.strip():
        raise DomainError(_("We could not accept this sign-up."), code="bot_suspected")
    name = data.name.strip()
    if not name:
        raise DomainError(_("Enter your name."), code="invalid_input", fields={"name": "required"})
    email = _checked_email(data.email)
    canonical = email_canonical(email)
    if email_is_disposable(email):
        raise DomainError(_("Please use a permanent e-mail address, not a disposable one."),
                          code="disposable_email", fields={"email": "disposable"})
    if referral.email_canonical and referral.email_canonical == canonical:
        raise DomainError(_("You cannot refer yourself."), code="self_referral",
                          fields={"email": "self"})
    prefix = ip_prefix(data.ip)
    since = now - timedelta(hours=1)
    if prefix and Friend.objects.filter(ip_prefix=prefix, created_at__gte=since).count() \
            >= options.burst_limit:
        raise RateLimited(_("Too many sign-ups from your network. Please try again later."),
                          code="network_burst")
    if Friend.objects.filter(campaign=campaign, email_canonical=canonical).exists():
        raise Conflict(_("This person has already been referred."), code="already_referred")
    signals = _signals(referral, data, prefix, canonical, since)
    limit = Conflict(
        _("This link has already been used by %(n)s friends, the most allowed.")
        % {"n": MAX_FRIENDS}, code="referral_limit_reached")
    with transaction.atomic():
        # Slots 1..3 with a unique (referral, slot) and a check constraint: no row lock, and a
        # fourth friend cannot be stored whatever the race. A lost race retries the next slot.
        friend: Friend | None = None
        code: Code | None = None
        for _attempt in range(MAX_FRIENDS + 1):
            taken = Friend.objects.filter(referral_id=referral.pk).aggregate(
                top=Max("slot"))["top"] or 0
            if taken >= MAX_FRIENDS:
                raise limit
            if code is None:
                code = code_issue_one(campaign=campaign, channel=options.friend_channel,
                                      note="referral")
            try:
                with transaction.atomic():
                    friend = Friend.objects.create(
                        referral=referral, campaign=campaign, slot=taken + 1, name=name[:200],
                        email=email, email_canonical=canonical, locale=data.locale, code=code,
                        consent_version=options.notice_version if data.consent else "",
                        consented_at=now if data.consent else None,
                        device_id=data.device_id[:64], ip_prefix=prefix, signals=signals,
                        created_at=now,
                    )
                break
            except IntegrityError:
                if Friend.objects.filter(campaign=campaign, email_canonical=canonical).exists():
                    raise Conflict(_("This person has already been referred."),
                                   code="already_referred") from None
        if friend is None:
            raise limit
        _event(referral, "friend_signed_up", friend=friend,
               data={"slot": friend.slot, "signals": sorted(signals)}, at=now)
        friend_code_email_queue(friend=friend)
    return friend


def friend_code_email_result(*, friend_id: int, outcome: str, at: datetime) -> None:
    """Record what the outbox did with a friend's code e-mail (a notifications hook)."""
    with transaction.atomic():
        friend = (Friend.objects.select_for_update(of=("self",)).select_related("referral")
                  .filter(pk=friend_id).first())
        if friend is None or friend.code_emailed_at is not None:
            return
        attempts, error = friend_code_email_outcome(friend_id=friend_id) or (
            friend.email_attempts + 1, "")
        friend.email_attempts = attempts
        if outcome == "sent":
            friend.code_emailed_at = at
            friend.email_error = ""
            friend.save(update_fields=["code_emailed_at", "email_attempts", "email_error"])
            _event(friend.referral, "friend_code_emailed", friend=friend, at=at)
            return
        friend.email_error = (error or outcome)[:300]
        friend.save(update_fields=["email_attempts", "email_error"])


def progress_token(referral: Referral) -> str:
    return signing.dumps({"r": referral.pk}, salt=PROGRESS_SALT, compress=True)


def progress_token_referral(*, token: str, max_age_days: int) -> Referral:
    """The referral a signed progress link names, if the signature and age are good."""
    try:
        data = signing.loads(token, salt=PROGRESS_SALT, max_age=timedelta(days=max_age_days))
    except signing.BadSignature:
        raise NotFound(_("This link is not valid or has expired."),
                       code="progress_link_invalid") from None
    referral = Referral.objects.select_related("campaign").filter(pk=data.get("r")).first()
    if referral is None:
        raise NotFound(_("This link is not valid or has expired."),
                       code="progress_link_invalid")
    return referral


def referral_progress_link_request(*, token: str, locale: str) -> Referral:
    """E-mail the referrer a signed link to their friends' progress (only to their address)."""
    referral = referral_by_token(token=token)
    if not referral.email:
        raise DomainError(
            _("We do not know the e-mail address of this link's owner, so we cannot send the "
              "progress link."), code="referrer_email_unknown", status=409)
    with transaction.atomic():
        event = _event(referral, "progress_link_requested", data={"locale": locale})
        progress_link_email_queue(
            referral=referral, event=event, locale=locale,
            progress_path=reverse("referrals:progress", args=[progress_token(referral)]))
    return referral


def friend_signals_refresh(*, friend_id: int) -> dict[str, Any]:
    """Add the signals a later claim reveals: same bank account or address on both sides."""
    with transaction.atomic():
        friend = (Friend.objects.select_for_update(of=("self",)).select_related("referral")
                  .get(pk=friend_id))
        mine = Claim.objects.select_related("bank").filter(code_id=friend.code_id).first()
        theirs = (Claim.objects.select_related("bank")
                  .filter(code_id=friend.referral.code_id).first())
        if mine is None or theirs is None:
            return dict(friend.signals)
        signals = dict(friend.signals)
        bank_a = getattr(mine, "bank", None)
        bank_b = getattr(theirs, "bank", None)
        if bank_a is not None and bank_b is not None and bank_a.fingerprint == bank_b.fingerprint:
            signals["same_bank_account_as_referrer"] = True
        if _address(mine) == _address(theirs):
            signals["same_address_as_referrer"] = True
        if signals != friend.signals:
            friend.signals = signals
            friend.save(update_fields=["signals"])
            _event(friend.referral, "friend_signals_updated", friend=friend,
                   data={"signals": sorted(signals)})
        return signals


def _address(claim: Any) -> tuple[str, str, str]:
    def squash(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    return (claim.address_country, squash(claim.postcode), squash(claim.address_line1))
