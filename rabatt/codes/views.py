"""The unsubscribe page of distribution e-mails (mounted under /r/ by referrals.urls)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from rabatt.codes.emails import unsubscribe_recipient_id
from rabatt.codes.services import recipient_unsubscribe
from rabatt.core.errors import NotFound


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without cookies
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    recipient_id = unsubscribe_recipient_id(signed)
    if recipient_id is None:
        return render(request, "codes/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            recipient_unsubscribe(recipient_id=recipient_id)
        except NotFound:
            return render(request, "codes/unsubscribe.html", {"invalid": True}, status=404)
        return render(request, "codes/unsubscribe.html", {"done": True})
    return render(request, "codes/unsubscribe.html", {})
