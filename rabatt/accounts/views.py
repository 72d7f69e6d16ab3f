"""Staff login: password, then the TOTP code (enrolment on first login); logout; set password."""

from __future__ import annotations

import time

import qrcode
import qrcode.image.svg
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from rabatt.accounts import conf, services
from rabatt.accounts.forms import CodeForm, LoginForm, PasswordSetForm
from rabatt.accounts.guards import session_start, staff_required
from rabatt.accounts.navigation import start_page_for
from rabatt.accounts.roles import require
from rabatt.accounts.selectors import brands_visible_to, sees_all_brands, staff_visible_to
from rabatt.core.errors import DomainError
from rabatt.core.ratelimit import client_ip

PENDING = "staff_pending"  # {"user": pk, "at": epoch, "next": path} between the two factors
PENDING_SECONDS = 300


def _next(request: HttpRequest, default: str = "/staff/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if target and ok else default


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_authenticate(email=form.cleaned_data["email"],
                                               password=form.cleaned_data["password"],
                                               ip=client_ip(request))
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "at": time.time(),
                                        "next": _next(request)}
            step = "verify" if services.totp_has_device(user=user) else "enrol"
            return HttpResponseRedirect(reverse(f"accounts:{step}"))
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/login.html",
                  {"form": form, "error": error, "next": _next(request, "")}, status=status)


def _finish(request: HttpRequest, user: User, device: object) -> HttpResponseRedirect:
    target = (request.session.get(PENDING) or {}).get("next") or "/staff/"
    request.session.pop(PENDING, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    session_start(request)
    return HttpResponseRedirect(target)


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login"))
    if not services.totp_has_device(user=user):
        return HttpResponseRedirect(reverse("accounts:enrol"))
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=user, token=form.cleaned_data["code"],
                                          ip=client_ip(request))
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            return _finish(request, user, device)
    return render(request, "accounts/verify.html", {"form": form, "error": error},
                  status=status)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    text = image.to_string().decode()
    # A fixed size in CSS pixels, and a name for screen readers.
    return text[text.index("<svg"):].replace(
        "<svg ", '<svg role="img" aria-labelledby="qr-label" class="qr" ', 1)


@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login"))
    if services.totp_has_device(user=user):
        return HttpResponseRedirect(reverse("accounts:verify"))
    device = services.totp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.totp_confirm(user=user, token=form.cleaned_data["code"],
                                              ip=client_ip(request))
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            return _finish(request, user, confirmed)
    secret = device.secret_b32
    return render(request, "accounts/enrol.html", {
        "form": form, "error": error,
        "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 (generated by qrcode)
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
    }, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect(reverse("accounts:login"))


@never_cache
def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        services.staff_password_link_user(uidb64=uidb64, token=token)
    except DomainError as exc:
        return render(request, "accounts/password_set.html", {"invalid": str(exc.message)},
                      status=404)
    form = PasswordSetForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_password_set(uidb64=uidb64, token=token,
                                        password=form.cleaned_data["password"])
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            return render(request, "accounts/password_set.html", {"done": True})
    return render(request, "accounts/password_set.html", {"form": form, "error": error},
                  status=status)


@staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponseBase:
    """Send each role to its start page; agents and supervisors start on the queue itself."""
    start = start_page_for(request.user)
    if start == "review:queue":
        # The queue answers at /staff/ too, so bookmarks such as /staff/?status=approved work.
        from rabatt.review.views import (
            queue_response,  # entry point to entry point: no layer crossed
        )

        return queue_response(request)
    return HttpResponseRedirect(reverse(start or "accounts:login"))


@staff_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """The administrator's page: staff with their roles and brands, the brands, the settings."""
    try:
        require(request.user, "staff.manage")
    except DomainError as exc:
        return render(request, "accounts/refused.html", {"error": exc}, status=exc.status)
    return render(request, "accounts/people.html", {
        "people": staff_visible_to(request.user),
        "brands": brands_visible_to(request.user),
        "all_brands": sees_all_brands(request.user),
        "settings": [
            (_("Session length (minutes)"), conf.session_seconds() // 60),
            (_("Idle time before sign-out (minutes)"), conf.idle_seconds() // 60),
            (_("Failed sign-ins before a lock"), conf.lockout_failures()),
            (_("Lock time (minutes)"), conf.lockout_seconds() // 60),
        ],
    })
