"""Answer 503 with Retry-After while the database is unreachable: never a 500 for an outage.

Two doors lead here. The middleware hears what a view (or the API) raised; ``server_error`` is
the project's ``handler500`` and hears what a middleware raised (a session saved while the
database is down), because Django turns those into a 500 before any outer middleware sees them.
Nothing here touches the database, and the next request reconnects by itself (Django drops a
connection that raised, and checks a kept one before use).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from rabatt.core.errors import ServiceUnavailable

log = logging.getLogger("rabatt.outage")


def is_outage(exc: BaseException | None) -> bool:
    """Whether an exception (or one it was raised from) means the database is unreachable."""
    seen = 0
    while exc is not None and seen < 5:
        # OperationalError: refused, reset, "starting up", admin shutdown; InterfaceError: a
        # connection that was closed under us. Integrity and programming errors are bugs.
        # ServiceUnavailable: a service found its disk full or read-only.
        if isinstance(exc, OperationalError | InterfaceError | ServiceUnavailable):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def retry_after() -> int:
    """Return the seconds a client should wait before trying again."""
    return int(getattr(settings, "OUTAGE_RETRY_AFTER", 5))


def outage_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer: JSON on the API, a small page (no database, no session) elsewhere."""
    seconds = retry_after()
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "unavailable",
                 "message": _("The service is briefly unavailable. Please try again shortly."),
                 "retry_after": seconds},
                status=503)
        else:
            html = render_to_string("core/unavailable.html",
                                    {"retry_after": seconds, "lang": language})
            response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turn a database outage raised by a view into a 503; let every other error pass."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            # The API's own 503 answers (e.g. storage unavailable) get the header too.
            response["Retry-After"] = str(retry_after())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        log.warning("unavailable on %s %s: %s", request.method, request.path,
                    type(exception).__name__)
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """Handle an uncaught error: 503 for a database outage, Django's plain 500 otherwise."""
    # Django calls the handler inside its ``except`` block, so the error is still at hand.
    if is_outage(sys.exc_info()[1]):
        log.warning("database unavailable on %s %s (in a middleware)", request.method,
                    request.path)
        return outage_response(request)
    return defaults.server_error(request)
