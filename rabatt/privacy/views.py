"""Thin views: the privacy page, rights requests, cookie settings, unsubscribe, the queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rabatt.accounts.guards import staff_required
from rabatt.accounts.roles import require
from rabatt.core.errors import DomainError
from rabatt.core.ratelimit import RateLimited, client_ip, rate_limit
from rabatt.core.timeutil import utcnow
from rabatt.privacy.audit import audit_record
from rabatt.privacy.consent import unsubscribe_subject
from rabatt.privacy.cookies import OPTIONAL, CookieChoice, cookie_choice, cookie_choice_store
from rabatt.privacy.forms import CookieForm, RectifyForm, RequestForm
from rabatt.privacy.models import PrivacyRequest, RequestKind
from rabatt.privacy.rectification import (
    BankCorrection,
    bank_editable_claims,
    rectification_apply,
)
from rabatt.privacy.requests import (
    PERMISSION,
    access_request_export,
    privacy_request_confirm,
    privacy_request_decide,
    privacy_request_for_token,
)
from rabatt.privacy.restriction import marketing_unsubscribe
from rabatt.privacy.selectors import privacy_queue, public_data_table
from rabatt.privacy.subjects import email_normalise
from rabatt.privacy.tasks import privacy_request_send


def request_start(*, request: HttpRequest, email: str, kind: str) -> None:
    """Rate-limit, then hand the request to a background task (same answer for everyone)."""
    rate_limit(scope="privacy-ip", key=client_ip(request), limit=10, window=3600)
    rate_limit(scope="privacy-email", key=email_normalise(email), limit=3, window=3600)
    privacy_request_send.enqueue(email, kind, get_language() or "en")


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_start(request=request, email=form.cleaned_data["email"],
                          kind=form.cleaned_data["kind"])
        except RateLimited as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("privacy:sent")
    return render(request, "privacy/home.html", {
        "form": form, "table": public_data_table(), "staff_table": public_data_table(of="staff"),
    })


def request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/request_sent.html")


@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        privacy_request = privacy_request_for_token(token=token)
    except DomainError as exc:
        return render(request, "privacy/request_invalid.html", {"error": exc.message},
                      status=exc.status)
    kind = privacy_request.kind
    rectify_form = None
    if kind == RequestKind.RECTIFICATION:
        claims = bank_editable_claims(subject=privacy_request.subject)
        rectify_form = RectifyForm(request.POST or None,
                                   bank_claims=[(c.pk, c.reference) for c in claims])
    if request.method == "POST":
        try:
            if kind == RequestKind.ACCESS:
                name, data = access_request_export(token=token)
                response = HttpResponse(data, content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["Cache-Control"] = "private, no-store"  # bank details inside
                return response
            if kind == RequestKind.RECTIFICATION:
                assert rectify_form is not None
                if rectify_form.is_valid():
                    data_in = rectify_form.cleaned_data
                    bank = None
                    if data_in.get("bank_claim"):
                        bank = BankCorrection(claim_id=data_in["bank_claim"],
                                              account_holder=data_in["account_holder"],
                                              iban=data_in["iban"])
                    done = rectification_apply(token=token, contact=data_in, bank=bank)
                    return render(request, "privacy/request_done.html",
                                  {"kind": kind, "done": done})
            else:
                done = privacy_request_confirm(token=token)
                return render(request, "privacy/request_done.html", {"kind": kind, "done": done})
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, "privacy/request.html", {
        "privacy_request": privacy_request, "kind": kind, "form": rectify_form,
    })


@require_http_methods(["GET", "POST"])
def cookies(request: HttpRequest) -> HttpResponse:
    choice = cookie_choice(request)
    if request.method == "POST":
        action = request.POST.get("choice", "save")
        if action == "all":
            choice = CookieChoice(decided=True, **dict.fromkeys(OPTIONAL, True))
        elif action == "necessary":
            choice = CookieChoice(decided=True)
        else:
            form = CookieForm(request.POST)
            form.is_valid()
            choice = CookieChoice(decided=True, **{c: bool(form.cleaned_data.get(c))
                                                   for c in OPTIONAL})
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        response = redirect(target or "privacy:cookies")
        cookie_choice_store(response, choice)
        if not target:
            messages.success(request, _("Your cookie settings are saved."))
        return response
    return render(request, "privacy/cookies.html", {"choice": choice})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscribe_subject(token=token)
    except DomainError as exc:
        return render(request, "privacy/request_invalid.html", {"error": exc.message},
                      status=exc.status)
    if request.method == "POST":
        marketing_unsubscribe(token=token)
        return render(request, "privacy/unsubscribe_done.html")
    return render(request, "privacy/unsubscribe.html", {"token": token})


def _officer(request: HttpRequest) -> HttpResponse | None:
    """None for the privacy officer; a refusal page for any other staff member."""
    try:
        require(request.user, PERMISSION)
    except DomainError as exc:
        return render(request, "privacy/request_invalid.html",
                      {"error": exc.message, "refused": True}, status=exc.status)
    return None


@staff_required
@require_http_methods(["GET"])
def staff_queue(request: HttpRequest) -> HttpResponse:
    if (refused := _officer(request)) is not None:
        return refused
    return render(request, "privacy/staff_queue.html", {"queue": privacy_queue(),
                                                        "now": utcnow()})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_request(request: HttpRequest, request_id: int) -> HttpResponse:
    if (refused := _officer(request)) is not None:
        return refused
    privacy_request = PrivacyRequest.objects.select_related("subject").filter(
        pk=request_id).first()
    if privacy_request is None:
        return render(request, "privacy/request_invalid.html",
                      {"error": _("No such request.")}, status=404)
    actor: Any = request.user
    audit_record(actor=actor, action="privacy_request_viewed",
                 subject=privacy_request.subject, what=privacy_request.kind)
    if request.method == "POST":
        try:
            privacy_request_decide(request_id=request_id, actor=actor,
                                   erase=request.POST.get("decision") == "erase",
                                   note=request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The request is answered."))
            return redirect("privacy:staff_queue")
    claims: list[Any] = list(privacy_request.subject.claims.values("pk", "reference", "status"))
    return render(request, "privacy/staff_request.html",
                  {"privacy_request": privacy_request, "claims": claims, "now": utcnow()})
