"""JSON logs with a request id, and without secret tokens or obvious personal data."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from gunicorn import glogging

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
REDACTED = "[redacted]"
# URL parts that are secrets: a link's token, a signed value, a password reset's user id.
SECRET_KWARGS = frozenset({"token", "signed", "uidb64"})
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SECRETISH = re.compile(r"^[A-Za-z0-9_:.=-]{20,}$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PATH = re.compile(r"(?<![\w/])(/[^\s\"'?]*)(\?[^\s\"']*)?")

access_log = logging.getLogger("rabatt.access")
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id"}


def redact_path(path: str) -> str:
    """Return ``path`` with every secret segment replaced, keeping the route readable."""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    except Exception:  # URLs still loading (a record logged during their import): guess only
        match = None
    secrets = {str(v) for k, v in (match.kwargs.items() if match else ()) if k in SECRET_KWARGS}
    parts = []
    for part in path.split("/"):
        secret = part in secrets or (
            match is None and bool(_SECRETISH.match(part)) and not _UUID.match(part))
        parts.append(REDACTED if secret else part)
    return "/".join(parts)


def redact_query(query: str) -> str:
    """Keep a query string's names, drop its values (references, e-mails, tokens)."""
    if not query:
        return ""
    return "?" + urlencode([(name, "-") for name, _ in parse_qsl(query, keep_blank_values=True)])


def redact_text(text: str) -> str:
    """Redact e-mail addresses and the secret parts of any URL path in a log message."""
    text = _EMAIL.sub("[email]", text)
    return _PATH.sub(lambda m: redact_path(m.group(1)) + redact_query((m.group(2) or "")[1:]),
                     text)


class RedactingFilter(logging.Filter):
    """Add the request id to every record and redact its message before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        if record.exc_info:
            # Exception texts can quote values (a duplicate e-mail, a token in a URL): the
            # traceback becomes part of the redacted message.
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = redact_text(message), None
        # Extras reach the JSON too (Django adds the request, whose repr holds the full URL).
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and not isinstance(value, int | float | bool | None):
                setattr(record, key, redact_text(str(value)))
        return True


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID if sane), echo it, log the access."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # No client address, no query values: the access log holds no personal data.
            access_log.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"method": request.method,
                                   "path": redact_path(request.path),
                                   "query": redact_query(request.META.get("QUERY_STRING", "")),
                                   "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - started) * 1000,
                                                        1)})
            return response
        finally:
            REQUEST_ID.reset(token)


def gunicorn_access_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    """Redact the request line atoms of a gunicorn access log entry."""
    path = redact_path(str(atoms.get("U", "")))
    query = redact_query(str(atoms.get("q", "")))
    method = atoms.get("m", "")
    protocol = atoms.get("H", "")
    return {**atoms, "U": path, "q": query[1:], "r": f"{method} {path}{query} {protocol}",
            "h": "-"}


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with the request line redacted (``--logger-class`` for serve)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return gunicorn_access_atoms(super().atoms(resp, req, environ, request_time))
