"""Test the headers of every page: strict CSP, no-store, and HTTPS switched on by settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src 'none'", "script-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    "object-src 'none'",
}
PAGES = ["/", "/track/", "/accounts/login/", "/privacy/", "/admin/login/", "/api/v1/health",
         "/api/v1/openapi.json", "/no-such-page/"]


def directives(header: str) -> set[str]:
    """Split a CSP header into its directives, dropping the per-response nonce."""
    out = set()
    for part in header.split(";"):
        words = [w for w in part.split() if not w.startswith("'nonce-")]
        out.add(" ".join(words))
    return out


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_no_store(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 404)
    found = directives(response["Content-Security-Policy"])
    assert found - {"style-src 'self'"} == STRICT
    assert "style-src 'self'" in found
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/track/", "/accounts/login/", "/privacy/",
                                  "/admin/login/"])
def test_pages_have_no_inline_code_and_admin_styles_carry_the_nonce(client, path):
    response = client.get(path)
    header = response["Content-Security-Policy"]
    page = response.content.decode()
    for opening in re.findall(r"<(?:style|script)\b[^>]*>", page):
        assert "src=" in opening or "nonce=" in opening or "application/json" in opening
        if "nonce=" in opening:
            nonce = opening.split('nonce="')[1].split('"')[0]
            assert f"'nonce-{nonce}'" in header
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers either


def test_static_files_stay_cacheable(client):
    response = client.get("/static/claims/wizard.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_with_its_own_policy_keeps_it(client):
    # Files shown back to a consumer are sandboxed by their view: the page policy must not
    # replace it.
    from django.http import HttpRequest, HttpResponse

    from rabatt.core.headers import NoStoreMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=60"
        return response

    assert NoStoreMiddleware(view)(HttpRequest())["Cache-Control"] == "public, max-age=60"


def test_https_redirect_and_hsts_when_switched_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/track/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/track/"
    secure = client.get("/track/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def settings_with(env: dict[str, str]) -> dict[str, object]:
    """Read the security settings as a fresh process builds them from ``env``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("HTTPS", "PROXY_SSL_HEADER")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                         env={**base, "DJANGO_SETTINGS_MODULE": "rabatt.settings", **env})
    keys = ["redirect", "hsts", "proxy", "session_secure", "csrf_secure"]
    return dict(zip(keys, json.loads(out.stdout), strict=True))


def test_https_settings_are_off_by_default_and_on_with_https():
    assert settings_with({}) == {"redirect": False, "hsts": 0, "proxy": None,
                                 "session_secure": False, "csrf_secure": False}
    assert settings_with({"HTTPS": "1", "PROXY_SSL_HEADER": "1"}) == {
        "redirect": True, "hsts": 31_536_000, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "session_secure": True, "csrf_secure": True}
