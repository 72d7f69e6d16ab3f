"""A database outage answers 503 with Retry-After (JSON on the API, a page elsewhere)."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from rabatt.core.errors import ServiceUnavailable
from rabatt.core.outage import DatabaseOutageMiddleware, is_outage, server_error


def _middleware(response: HttpResponse | None = None) -> DatabaseOutageMiddleware:
    return DatabaseOutageMiddleware(lambda request: response or HttpResponse("ok"))


def test_outage_errors_are_recognised_through_their_causes():
    assert is_outage(OperationalError("connection refused"))
    assert is_outage(InterfaceError("connection already closed"))
    assert is_outage(ServiceUnavailable("disk full"))
    wrapped = RuntimeError("while rendering")
    wrapped.__cause__ = OperationalError("server closed the connection unexpectedly")
    assert is_outage(wrapped)
    assert not is_outage(IntegrityError("duplicate key"))
    assert not is_outage(ValueError("bug"))
    assert not is_outage(None)


def test_api_gets_json_503_with_retry_after(settings):
    settings.OUTAGE_RETRY_AFTER = 7
    request = RequestFactory().post("/api/v1/claims", data="{}",
                                    content_type="application/json")
    response = _middleware().process_exception(request, OperationalError("refused"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body == {"code": "unavailable",
                    "message": "The service is briefly unavailable. Please try again shortly.",
                    "retry_after": 7}


def test_site_gets_a_friendly_page_503_with_retry_after():
    request = RequestFactory().get("/c/sonos-summer-2019/")
    response = _middleware().process_exception(request, InterfaceError("closed"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "<h1>Back in a moment</h1>" in html
    assert "please try again in a minute" in html
    assert "Server Error" not in html


def test_other_errors_pass_to_django():
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, IntegrityError("dup")) is None
    assert _middleware().process_exception(request, ValueError("bug")) is None


def test_a_503_from_a_view_gets_retry_after_too():
    request = RequestFactory().get("/api/v1/claims")
    response = _middleware(HttpResponse(status=503))(request)
    assert response["Retry-After"] == "5"
    assert _middleware(HttpResponse(status=200))(request).has_header("Retry-After") is False


@pytest.mark.django_db
def test_handler500_answers_503_for_an_outage_raised_in_a_middleware():
    request = RequestFactory().get("/api/v1/campaigns")
    try:
        raise OperationalError("the database system is starting up")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["code"] == "unavailable"


@pytest.mark.django_db
def test_handler500_keeps_the_plain_500_for_a_bug():
    request = RequestFactory().get("/")
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


def test_the_handler_is_the_projects():
    from django.urls import get_resolver

    assert get_resolver().resolve_error_handler(500) is server_error
