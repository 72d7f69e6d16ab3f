"""JSON logs: a request id on every line, no secret tokens, no e-mail addresses."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from rabatt.core.logs import gunicorn_access_atoms, redact_path, redact_query, redact_text

TOKEN = "q7Vx2LmN0pRsTuWy3Za5Bc8De1Fg4Hj6"


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What the configured console handler writes (JSON, redacted), caught in a buffer."""
    (handler,) = [h for h in logging.getLogger("rabatt.access").handlers
                  if type(h) is logging.StreamHandler]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.mark.parametrize(("path", "expected"), [
    (f"/claims/answer/{TOKEN}/", "/claims/answer/[redacted]/"),
    (f"/claims/answer/{TOKEN}/files/", "/claims/answer/[redacted]/files/"),
    (f"/privacy/{TOKEN}", "/privacy/[redacted]"),
    (f"/accounts/password/MQ/{TOKEN}/", "/accounts/password/[redacted]/[redacted]/"),
    (f"/api/v1/privacy/requests/{TOKEN}/export", "/api/v1/privacy/requests/[redacted]/export"),
    (f"/r/{TOKEN}/done/", "/r/[redacted]/done/"),
    ("/c/sonos-2019/claim/details/", "/c/sonos-2019/claim/details/"),
    ("/staff/claims/RB-AAAA-BBBB/", "/staff/claims/RB-AAAA-BBBB/"),
    (f"/no/such/{TOKEN}/", "/no/such/[redacted]/"),
])
def test_secret_parts_of_paths_are_redacted(path, expected):
    assert redact_path(path) == expected


def test_query_values_are_dropped_and_emails_masked():
    assert redact_query("reference=RB-AAAA-BBBB&email=kari%40example.no") == \
        "?reference=-&email=-"
    assert redact_text(f"mail to Kari.N@Example.no failed for /privacy/{TOKEN}?x=1") == \
        "mail to [email] failed for /privacy/[redacted]?x=-"


def test_every_access_is_one_json_line_with_its_request_id(client, db, logged):
    response = client.get(f"/claims/answer/{TOKEN}/?email=kari@example.no")
    lines = _lines(logged)
    access = [line for line in lines if line["logger"] == "rabatt.access"]
    assert len(access) == 1
    entry = access[0]
    assert entry["path"] == "/claims/answer/[redacted]/"
    assert entry["query"] == "?email=-"
    assert entry["status"] == response.status_code
    assert entry["method"] == "GET"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == response["X-Request-ID"]
    assert len(entry["request_id"]) == 32
    everything = json.dumps(lines)
    assert TOKEN not in everything
    assert "kari@example.no" not in everything


def test_a_sane_request_id_from_the_proxy_is_kept(client, db, logged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-4f1c2a9b")
    assert response["X-Request-ID"] == "edge-4f1c2a9b"
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="x\nforged log line")
    assert hostile["X-Request-ID"] != "x\nforged log line"
    assert "forged" not in logged.getvalue()


def test_exceptions_are_logged_without_what_they_quote(logged):
    log = logging.getLogger("rabatt.test")
    try:
        raise ValueError(f"duplicate key (email)=(kari@example.no) for /privacy/{TOKEN}")
    except ValueError:
        log.exception("could not store")
    (entry,) = [line for line in _lines(logged) if line["logger"] == "rabatt.test"]
    assert entry["level"] == "ERROR"
    assert "ValueError: duplicate key (email)=([email]) for /privacy/[redacted]" in \
        entry["message"]
    assert "exc_info" not in entry


def test_gunicorn_access_lines_are_redacted():
    atoms = {"h": "203.0.113.7", "m": "GET", "U": f"/privacy/{TOKEN}", "q": "a=b",
             "H": "HTTP/1.1", "r": f"GET /privacy/{TOKEN}?a=b HTTP/1.1", "s": "200"}
    assert gunicorn_access_atoms(atoms) == {
        **atoms, "h": "-", "U": "/privacy/[redacted]", "q": "a=-",
        "r": "GET /privacy/[redacted]?a=- HTTP/1.1"}
