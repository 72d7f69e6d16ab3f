"""Privacy in a real browser: the rights page, a downloaded export, a confirmed erasure, and
cookie choices that are honoured (nothing optional before consent)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from rabatt.claims.tests.factories import claim_factory
from rabatt.core.timeutil import utcnow
from rabatt.notifications.tests.smtp import Inbox, smtp_server
from rabatt.privacy.models import Subject
from rabatt.privacy.tests.factories import EMAIL, IBAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "/static/privacy/analytics-example.js"
# Strictly necessary: the session, CSRF protection, the language and the cookie choice itself.
NECESSARY = {"sessionid", "csrftoken", "django_language", "rabatt_cookies"}




def _claim_today(campaign: Any) -> Any:
    """A claim in review, bought yesterday in the campaign moved to today."""
    now = utcnow()
    return claim_factory(campaign, status="in_review", email=EMAIL,
                         purchased_at=now - timedelta(days=1), submitted_at=now)

@pytest.fixture
def inbox(live_server: Any) -> Iterator[Inbox]:
    with smtp_server() as (inbox, mailers), override_settings(
            MAILERS=mailers, SITE_URL=live_server.url,
            PRIVACY_SCRIPTS=[("analytics", live_server.url + SCRIPT)]):
        yield inbox


def _request_link(page: Page, base: str, inbox: Inbox, kind: str) -> str:
    """Ask for ``kind`` on the rights page and return the link from the e-mail."""
    page.goto(base + "/privacy/")
    page.locator("#id_email").fill(EMAIL)
    page.locator(f"input[name=kind][value={kind}]").check()
    page.locator("[data-rights-form] button[type=submit]").click()
    expect(page.locator("[data-request-sent]")).to_be_visible()
    match = re.search(r"(http://\S+/privacy/\S+)", inbox.text())
    assert match, inbox.text()
    return match.group(1)


def test_rights_page_and_export_downloaded(live_server, live_campaign, inbox, open_page, shot):
    claim = _claim_today(live_campaign)
    page = open_page("phone", "nb")
    page.goto(live_server.url + "/privacy/")
    expect(page.locator("h1")).to_have_text("Personvern og dine data")
    expect(page.locator(".data-table tbody tr").first).to_be_visible()
    assert page.locator(".data-table tbody tr").count() >= 5
    expect(page.locator("[data-cookie-banner]")).to_have_count(1)
    shot(page, "privacy-01-rights-phone-nb", full_page=True)

    link = _request_link(page, live_server.url, inbox, "access")
    page.goto(link)
    expect(page.locator("[data-request-kind=access]")).to_be_visible()
    shot(page, "privacy-02-access-phone-nb")
    with page.expect_download() as info:
        page.locator("[data-confirm]").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    data = json.loads(archive.read("data.json"))
    assert [c["reference"] for c in data["data"]["claims.Claim"]] == [claim.reference]
    assert data["bank_details"][0]["iban"] == IBAN
    assert archive.read(data["files"][0]["path"])[:2] == b"\xff\xd8"
    # The link worked once.
    page.goto(link)
    expect(page.locator("h1")).not_to_have_text("Personvern og dine data")
    assert page.locator("[data-confirm]").count() == 0


def test_erasure_confirmed_and_tracker_stops_answering(live_server, live_campaign, inbox,
                                                       open_page, shot):
    claim = _claim_today(live_campaign)
    page = open_page("desktop", "en")
    # The tracker finds the claim before...
    page.goto(live_server.url + "/track/")
    page.locator("#id_reference").fill(claim.reference)
    page.locator("#id_email").fill(EMAIL)
    page.get_by_role("button", name="Check status").click()
    expect(page.locator("[data-status]")).to_be_visible()

    link = _request_link(page, live_server.url, inbox, "erasure")
    page.goto(link)
    shot(page, "privacy-03-erasure-desktop-en")
    page.locator("[data-confirm]").click()
    expect(page.locator("[data-request-done=erasure]")).to_be_visible()
    shot(page, "privacy-04-erased-desktop-en")
    subject = Subject.objects.get()
    assert subject.erased_at is not None
    assert subject.wrapped_key is None

    # ...and not after.
    page.goto(live_server.url + "/track/")
    page.locator("#id_reference").fill(claim.reference)
    page.locator("#id_email").fill(EMAIL)
    page.get_by_role("button", name="Check status").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("[data-status]").count() == 0


def _watch(page: Page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    return requested


def _cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


def _wait_for_cookie(page: Page, name: str, value: str, timeout: float = 20.0) -> None:
    """Wait until the browser holds the cookie, read through the browser, not the page.

    ``page.wait_for_function`` with an expression polls by evaluating a string in the page,
    which the site's CSP (no 'unsafe-eval') refuses whenever the first look comes too early.
    """
    deadline = time.monotonic() + timeout
    while _cookies(page).get(name) != value:
        assert time.monotonic() < deadline, f"no cookie {name}={value} after {timeout} s"
        page.wait_for_timeout(100)


def test_cookie_choices_are_honoured(live_server, inbox, open_page, shot):
    base = live_server.url

    # Before any choice: the banner, only strictly necessary cookies, no optional script.
    page = open_page("desktop", "en")
    requested = _watch(page)
    page.goto(base + "/privacy/")
    banner = page.locator("[data-cookie-banner]")
    expect(banner).to_have_count(1)
    for category in ("performance", "functionality", "third_party", "analytics"):
        expect(banner.locator(f"[data-category={category}]")).to_have_count(1)
    banner.scroll_into_view_if_needed()
    shot(page, "privacy-05-cookie-banner-desktop-en")
    assert set(_cookies(page)) <= NECESSARY - {"rabatt_cookies"}
    assert not [u for u in requested if SCRIPT in u]

    # Accept all: the consented script loads and sets its cookie; the banner is gone.
    banner.get_by_role("button", name="Accept all").click()
    page.wait_for_url(base + "/privacy/")
    _wait_for_cookie(page, "rabatt_analytics", "1")
    assert [u for u in requested if SCRIPT in u]
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    assert _cookies(page)["rabatt_cookies"] == "1.1111"

    # Only strictly necessary: no script, no optional cookie, on this page or the next.
    page = open_page("desktop", "en")
    requested = _watch(page)
    page.goto(base + "/privacy/")
    page.locator("[data-cookie-banner]").get_by_role("button",
                                                     name="Only strictly necessary").click()
    page.wait_for_url(base + "/privacy/")
    page.goto(base + "/")
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    assert set(_cookies(page)) <= NECESSARY
    assert _cookies(page)["rabatt_cookies"] == "1.0000"
    assert not [u for u in requested if SCRIPT in u]

    # The settings are reachable from every page and change the choice.
    page.get_by_role("link", name="Cookie settings").first.click()
    page.wait_for_url(base + "/privacy/cookies/")
    shot(page, "privacy-06-cookie-settings-desktop-en")
    page.locator("#c-analytics").check()
    page.locator("[data-cookie-settings] button[type=submit]").click()
    expect(page.locator("[role=status]")).to_be_visible()
    _wait_for_cookie(page, "rabatt_analytics", "1")
    assert _cookies(page)["rabatt_cookies"] == "1.0001"
