"""E-mailed links start at SITE_URL, else at the address `serve` and `demo` listen on."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from rabatt.core.config import DEFAULT_SITE_URL, serving_url, site_url


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
    ("0.0.0.0", 9000, "http://127.0.0.1:9000"),  # noqa: S104 - a name, not a binding
    ("::", 9000, "http://127.0.0.1:9000"),
    ("::1", 8001, "http://[::1]:8001"),
    ("rabatt.local", 80, "http://rabatt.local:80"),
])
def test_the_serving_address_is_one_people_can_open(host, port, url):
    assert serving_url(host, port) == url


def test_site_url_wins_then_the_served_address_then_the_default():
    assert site_url({"SITE_URL": "https://cash.example.com/", "RABATT_SERVE_URL": "x"}) == \
        "https://cash.example.com"
    assert site_url({"RABATT_SERVE_URL": "http://127.0.0.1:8123"}) == "http://127.0.0.1:8123"
    assert site_url({"SITE_URL": "", "RABATT_SERVE_URL": "http://127.0.0.1:8123"}) == \
        "http://127.0.0.1:8123"
    assert site_url({}) == DEFAULT_SITE_URL


@pytest.mark.django_db(transaction=True)
def test_every_link_of_a_claim_email_opens(campaign, smtp):
    from rabatt.claims.services import claim_mark_payment_failed
    from rabatt.claims.tests.factories import claim_factory

    with override_settings(SITE_URL="http://rabatt.test:8123"):
        claim = claim_factory(campaign, status="approved")
        claim_mark_payment_failed(claim_id=claim.pk, reason="AC04")
    text = smtp.text()
    links = re.findall(r"https?://\S+", text)
    # The bank page, the tracker and the privacy page.
    assert len(links) == 3, links
    client = Client()
    for link in links:
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == "http://rabatt.test:8123"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert client.get(path).status_code == 200, link
