"""Staff: a role per person, a TOTP device each, personal API tokens."""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from rabatt.accounts import conf
from rabatt.accounts.roles import Role


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="staff_profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    # The brands this person serves; none granted means the operator's staff, who see all.
    brands = models.ManyToManyField("campaigns.Brand", blank=True, related_name="staff")
    active = models.BooleanField(default=True)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"


def _key() -> str:
    return str(random_hex(20))


class StaffTotpDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app; django-otp's device base, so its helpers (login, match_token,
    OTPMiddleware) work with it. Kept in this app so the desk needs no extra INSTALLED_APPS."""

    key = models.CharField(max_length=80, default=_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # Each code is accepted once: only later time steps verify after a success.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(confirmed=True),
                                    name="one_confirmed_totp_per_user"),
        ]

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    @property
    def secret_b32(self) -> str:
        return b32encode(self.bin_key).decode()

    def verify_token(self, token: object) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(str(token).strip().replace(" ", ""))
        except ValueError:
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = bool(totp.verify(value, self.tolerance, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def config_url(self) -> str:
        issuer = conf.totp_issuer().replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode({"secret": self.secret_b32, "algorithm": "SHA1",
                            "digits": self.digits, "period": self.step, "issuer": issuer})
        return f"otpauth://totp/{quote(label)}?{params}"


class ApiToken(models.Model):
    """A personal API token: only its hash is stored; it acts with its owner's role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True)
    # The first characters, shown so people can tell tokens apart and revoke one.
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.get_username()})"
