"""Writes for staff accounts: create, passwords, login with lockout, TOTP, API tokens."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from rabatt.accounts import conf
from rabatt.accounts.emails import account_locked_email_queue
from rabatt.accounts.models import ApiToken, StaffProfile, StaffTotpDevice
from rabatt.accounts.roles import Role
from rabatt.core.errors import Conflict, DomainError, NotFound
from rabatt.core.ratelimit import rate_count, rate_hit, rate_limit
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash

log = logging.getLogger(__name__)
TOKEN_PREFIX = "rbt_"  # noqa: S105 (a marker, not a secret)


class LoginFailed(DomainError):
    code = "login_failed"
    status = 401


def _bad_login() -> LoginFailed:
    # One message for a wrong address, a wrong password and a locked account: nothing to probe.
    return LoginFailed(_("Wrong e-mail address, password or code, or the account is locked for "
                         "a while. Try again later or ask an administrator."))


def staff_create(*, email: str, role: str, password: str | None = None) -> User:
    """Create a staff user with a role; without a password they set one through a link."""
    email = email.strip().lower()
    if role not in Role.values:
        raise DomainError(_("Unknown role."), code="invalid_role", fields={"role": role})
    model = get_user_model()
    if model.objects.filter(username=email).exists():
        raise Conflict(_("A user with this e-mail address exists already."), code="user_exists")
    user = model(username=email, email=email)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), code="weak_password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        StaffProfile.objects.create(user=user, role=role)
    return user


def staff_password_link(*, user: User) -> str:
    """A one-time link (path) to set the password; it dies once the password changes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_set", args=[uid, default_token_generator.make_token(user)])


def staff_password_link_user(*, uidb64: str, token: str) -> User:
    model = get_user_model()
    try:
        user = model.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, model.DoesNotExist):
        raise NotFound(_("This link is not valid any more."), code="link_invalid") from None
    if not default_token_generator.check_token(user, token):
        raise NotFound(_("This link is not valid any more."), code="link_invalid")
    return user


def staff_password_set(*, uidb64: str, token: str, password: str) -> User:
    user = staff_password_link_user(uidb64=uidb64, token=token)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password",
                          fields={"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def staff_set_role(*, user: User, role: str) -> StaffProfile:
    if role not in Role.values:
        raise DomainError(_("Unknown role."), code="invalid_role", fields={"role": role})
    profile, _created = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
    return profile


def staff_deactivate(*, user: User) -> None:
    """Stop a person's access at once: sessions fail the next check, tokens are revoked."""
    with transaction.atomic():
        StaffProfile.objects.filter(user=user).update(active=False)
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=utcnow())


def _profile(email: str) -> StaffProfile | None:
    return StaffProfile.objects.select_related("user").filter(
        user__username=email.strip().lower()).first()


def _profile_of(user: User) -> StaffProfile:
    profile: StaffProfile = user.staff_profile
    return profile


def _is_locked(profile: StaffProfile) -> bool:
    # ``locked_until`` is the account's delay: no attempt on it is checked before then.
    return profile.locked_until is not None and profile.locked_until > utcnow()


def _pair_key(email: str, ip: str) -> str:
    return f"{email.strip().lower()}|{ip}"


def _spend_hash_time(password: str) -> None:
    # Every refusal costs one password hash, so that locked, unknown and wrong take as long.
    get_user_model()().set_password(password)


def staff_login_failed(*, profile: StaffProfile | None, ip: str, email: str = "") -> None:
    """Count a failure for the address and, for a real account, grow its delay.

    A stranger cannot lock anyone out: after ``lockout_failures`` failures only the failing
    address is refused for that account (``lockout_seconds``); the account itself only makes
    every further attempt wait (1 s, 2 s, 4 s … at most ``login_delay_max_seconds``), so a
    crowd of addresses can try once a minute at best, and its person still gets in.
    """
    rate_hit(scope="staff_login_pair",
             key=_pair_key(email or (profile.user.get_username() if profile else ""), ip),
             window=conf.lockout_seconds())
    if profile is None:
        return
    with transaction.atomic():
        row = StaffProfile.objects.select_for_update().get(pk=profile.pk)
        row.failed_logins = F("failed_logins") + 1
        row.save(update_fields=["failed_logins"])
        row.refresh_from_db(fields=["failed_logins"])
        over = row.failed_logins - conf.lockout_failures()
        if over < 0:
            return
        row.locked_until = utcnow() + timedelta(
            seconds=min(2**over, conf.login_delay_max_seconds()))
        row.save(update_fields=["locked_until"])
        if over == 0:
            email = row.user.get_username()
            log.warning("staff account %s slowed down after failed logins from %s", email, ip)
            to = conf.alert_emails() or list(
                StaffProfile.objects.filter(role=Role.ADMINISTRATOR, active=True)
                .exclude(user__email="").values_list("user__email", flat=True))
            account_locked_email_queue(profile_id=row.pk, email=email, ip=ip,
                                       until=row.locked_until,
                                       failures=conf.lockout_failures(), to=to)


def staff_authenticate(*, email: str, password: str, ip: str) -> User:
    """Check e-mail and password of an active staff user (first factor).

    A wrong password, an unknown address, an address refused for this account and an
    account in its delay all get the same answer after the same work (one password hash).
    """
    rate_limit(scope="staff_login", key=ip, limit=30, window=300)
    profile = _profile(email)
    if profile is not None and (not profile.active or not profile.user.is_active):
        profile = None
    pair_failures = rate_count(scope="staff_login_pair", key=_pair_key(email, ip),
                               window=conf.lockout_seconds())
    if pair_failures >= conf.lockout_failures() or (profile is not None
                                                    and _is_locked(profile)):
        _spend_hash_time(password)
        raise _bad_login()
    if profile is None:
        _spend_hash_time(password)
        staff_login_failed(profile=None, ip=ip, email=email)
        raise _bad_login()
    if not profile.user.check_password(password):
        staff_login_failed(profile=profile, ip=ip, email=email)
        raise _bad_login()
    return profile.user


def totp_device_pending(*, user: User) -> StaffTotpDevice:
    """The device being enrolled (a new secret until it is confirmed with a code)."""
    device = StaffTotpDevice.objects.filter(user=user, confirmed=False).first()
    return device or StaffTotpDevice.objects.create(user=user, name="authenticator",
                                                    confirmed=False)


def totp_has_device(*, user: User) -> bool:
    return StaffTotpDevice.objects.filter(user=user, confirmed=True).exists()


def totp_confirm(*, user: User, token: str, ip: str) -> StaffTotpDevice:
    """Finish enrolment: the code from the app proves it holds the secret."""
    if totp_has_device(user=user):
        raise Conflict(_("Two-factor authentication is already set up."), code="totp_exists")
    device = StaffTotpDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        staff_login_failed(profile=_profile_of(user), ip=ip)
        raise DomainError(_("The code is not right. Check the time on your phone and try the "
                            "next code."), code="totp_invalid", fields={"code": "invalid"})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: User, token: str, ip: str) -> StaffTotpDevice:
    """Second factor at login; success clears the failure count."""
    profile = _profile_of(user)
    if _is_locked(profile):
        raise _bad_login()
    device = StaffTotpDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(token):
        staff_login_failed(profile=profile, ip=ip)
        raise DomainError(_("The code is not right. Check the time on your phone and try the "
                            "next code."), code="totp_invalid", fields={"code": "invalid"})
    StaffProfile.objects.filter(pk=profile.pk).update(failed_logins=0, locked_until=None)
    return device


def totp_reset(*, user: User) -> int:
    """Remove a person's authenticator (lost phone); they enrol again at the next login."""
    return StaffTotpDevice.objects.filter(user=user).delete()[0]


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a personal API token; the plain token is returned once and never stored."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None or not profile.active:
        raise DomainError(_("Only active staff can have API tokens."), code="not_staff")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name[:80], prefix=plain[:12],
                                  token_hash=token_hash(plain))
    return row, plain


def token_revoke(*, prefix: str) -> ApiToken:
    row = ApiToken.objects.filter(prefix=prefix.strip()[:12]).first()
    if row is None:
        raise NotFound(_("No such token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.save(update_fields=["revoked_at"])
    return row


def token_user(*, plain: str) -> User | None:
    """The active staff user a token belongs to, or None (unknown, revoked, deactivated)."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user__staff_profile").filter(
        token_hash=token_hash(plain), revoked_at__isnull=True).first()
    if row is None or not row.user.is_active or not _profile_of(row.user).active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
