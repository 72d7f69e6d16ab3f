"""The claim tracker: a claim's status by its reference and e-mail address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rabatt.claims.forms import TrackForm
from rabatt.claims.presenters import tracker_progress
from rabatt.claims.selectors import claim_for_tracker, claim_public_status
from rabatt.claims.services import claim_withdraw, tracker_attempt_count
from rabatt.claims.transitions import WITHDRAWABLE
from rabatt.core.errors import DomainError
from rabatt.core.ratelimit import RateLimited, client_ip, rate_limit


def track(request: HttpRequest) -> HttpResponse:
    """Look a claim up by its reference and e-mail address (rate-limited); withdraw it."""
    status: dict[str, Any] | None = None
    error: str | None = None
    notice = ""
    code = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                rate_limit(scope="track-ip", key=client_ip(request), limit=30, window=60)
                tracker_attempt_count(reference=form.cleaned_data["reference"])
                claim = claim_for_tracker(reference=form.cleaned_data["reference"],
                                          email=form.cleaned_data["email"])
                if request.POST.get("action") == "withdraw":
                    # The same proof as looking it up (reference and e-mail), plus a tick:
                    # a withdrawal cannot be undone.
                    if request.POST.get("confirm") != "yes":
                        error, code = _("Tick the box to confirm that you withdraw the "
                                        "claim."), 422
                    else:
                        claim = claim_withdraw(claim_id=claim.pk)
                        notice = _("Your claim is withdrawn.")
                status = claim_public_status(claim=claim)
            except RateLimited as exc:
                error, code = str(exc.message), 429
            except DomainError as exc:
                error = str(exc.message)
        else:
            code = 422
    else:
        form = TrackForm(initial={"reference": request.GET.get("reference", "")})
    return render(request, "claims/track.html", {
        "form": form, "status": status, "error": error, "notice": notice,
        "progress": tracker_progress(status),
        "can_withdraw": status is not None and status["status"] in WITHDRAWABLE,
    }, status=code)
