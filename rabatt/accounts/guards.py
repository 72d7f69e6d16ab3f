"""The one enforcement point for staff pages: logged in, second factor verified, not expired."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from rabatt.accounts import conf
from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.roles import role_of

LOGIN_AT = "staff_login_at"
SEEN_AT = "staff_seen_at"


def session_start(request: HttpRequest) -> None:
    """Mark the start of a verified staff session (after the second factor)."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.set_expiry(conf.idle_seconds())


def staff_verified(request: HttpRequest) -> bool:
    """True for an active staff user whose session passed the second factor and is fresh."""
    user = request.user
    if role_of(user) is None:
        return False
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = StaffTotpDevice.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return False
    now = int(time.time())
    login_at = int(request.session.get(LOGIN_AT, 0))
    seen_at = int(request.session.get(SEEN_AT, 0))
    return now - login_at <= conf.session_seconds() and now - seen_at <= conf.idle_seconds()


def _touch(request: HttpRequest) -> None:
    now = int(time.time())
    if now - int(request.session.get(SEEN_AT, 0)) >= 30:  # write the session at most twice a minute
        request.session[SEEN_AT] = now


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let only verified staff through; everyone else goes to the login (and back after)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not staff_verified(request):
            if request.user.is_authenticated and request.session.get(LOGIN_AT):
                logout(request)  # expired or deactivated: start again
            if request.headers.get("Accept", "").startswith("application/json"):
                return HttpResponse(status=401)
            login = reverse("accounts:login")
            return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        _touch(request)
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapped
