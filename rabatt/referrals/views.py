"""Pages of the referral programme: the link page, the progress page, the agents' list."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rabatt.campaigns.models import Campaign
from rabatt.codes.selectors import codes_report
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.i18n import active_language
from rabatt.core.ratelimit import client_ip, rate_limit
from rabatt.referrals.conf import DEVICE_COOKIE, progress_link_days, signup_rate_per_ip
from rabatt.referrals.forms import FriendForm
from rabatt.referrals.models import MAX_FRIENDS, Referral
from rabatt.referrals.selectors import (
    friends_flagged,
    referral_by_token,
    referral_funnel,
    referral_options,
    referral_progress,
)
from rabatt.referrals.services import (
    FriendIn,
    friend_signup,
    progress_token_referral,
    referral_progress_link_request,
)

DEVICE_MAX_AGE = 365 * 24 * 3600


def _referral(token: str) -> Referral:
    try:
        return referral_by_token(token=token)
    except NotFound:
        raise Http404 from None


def _language() -> str:
    return active_language()


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # A random id per browser, only to spot one device on both sides of a referral (fraud
    # prevention); it holds nothing about the person.
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_MAX_AGE,
                            httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def link(request: HttpRequest, token: str) -> HttpResponse:
    referral = _referral(token)
    campaign = referral.campaign
    form = FriendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit(scope="referral-friend-ip", key=client_ip(request),
                       limit=signup_rate_per_ip(), window=3600)
            friend_signup(token=token, data=FriendIn(
                name=form.cleaned_data["name"], email=form.cleaned_data["email"],
                locale=_language(), consent=form.cleaned_data["consent"],
                honeypot=form.cleaned_data["website"],
                device_id=request.COOKIES.get(DEVICE_COOKIE, "")[:64], ip=client_ip(request),
            ))
        except DomainError as exc:
            form.add_error("email" if exc.code in {"self_referral", "already_referred",
                                                   "disposable_email", "invalid_email"}
                           else None, str(exc.message))
        else:
            return redirect("referrals:done", token=token)
    full = referral.friends.count() >= MAX_FRIENDS
    options = referral_options(campaign=campaign)
    response = render(request, "referrals/link.html", {
        "campaign": campaign, "referral": referral, "form": form, "full": full,
        "friend_channel": options.friend_channel, "notice_version": options.notice_version,
    }, status=422 if form.errors else 200)
    return _with_device(request, response)


def done(request: HttpRequest, token: str) -> HttpResponse:
    referral = _referral(token)
    return render(request, "referrals/done.html", {"campaign": referral.campaign})


@require_POST
def progress_request(request: HttpRequest, token: str) -> HttpResponse:
    _referral(token)
    try:
        rate_limit(scope="referral-progress", key=token, limit=3, window=3600)
        referral_progress_link_request(token=token, locale=_language())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("If this is your link, we have e-mailed you a link to your "
                                    "friends' progress."))
    return redirect("referrals:link", token=token)


def progress(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        referral = progress_token_referral(token=signed, max_age_days=progress_link_days())
    except NotFound:
        return render(request, "referrals/progress_invalid.html", status=404)
    friends = referral_progress(referral=referral)
    return render(request, "referrals/progress.html", {
        "campaign": referral.campaign, "friends": friends,
        "remaining": MAX_FRIENDS - len(friends), "referral": referral,
    })


@staff_member_required
def staff(request: HttpRequest) -> HttpResponse:
    """Agents' view: each campaign's codes report and funnel, and the flagged friends."""
    campaigns = list(Campaign.objects.order_by("slug"))
    reports = [(c, codes_report(campaign=c), referral_funnel(campaign=c)) for c in campaigns]
    return render(request, "referrals/staff.html", {
        "reports": reports, "flagged": friends_flagged()[:200],
    })
