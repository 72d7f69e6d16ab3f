"""Every staff role in Debian's Chromium: sign in, land on the role's start page, click every
link of the staff navigation; no page answers 403 or 500 (axe-core checks each start page)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Response, expect

from rabatt.accounts.navigation import START_PAGES, pages_for
from rabatt.accounts.roles import Role
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.tests.factories import staff_user
from tests.browser.desk_helpers import (
    assert_accessible,
    sign_in_at,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, user) -> None:
    sign_in_at(page, f"{base}/staff/", user)
    expect(page.get_by_role("navigation", name="Staff pages")).to_be_visible()


@pytest.mark.parametrize("role", Role.values)
def test_each_role_starts_at_home_and_every_nav_link_opens(live_server, open_page, shot, role):
    base = live_server.url
    brand_create(slug="sonos", name="Sonos Europe")
    claim_factory(campaign_factory(brand="sonos"))
    user = staff_user(role)
    page = open_page("desktop", "en")
    statuses: list[tuple[int, str]] = []

    def record(response: Response) -> None:
        if response.request.resource_type == "document":
            statuses.append((response.status, response.url))

    page.on("response", record)
    sign_in(page, base, user)
    # Agents and supervisors start on the queue at /staff/ itself; the others are sent on.
    start = "/staff/" if START_PAGES[role] == "review:queue" else reverse(START_PAGES[role])
    expect(page).to_have_url(base + start)
    assert_accessible(page)
    shot(page, f"home-{role}")
    nav = page.get_by_role("navigation", name="Staff pages").get_by_role("link")
    labels = [str(p.label) for p in pages_for(user)]
    expect(nav).to_have_text(labels)
    for label in labels:
        page.get_by_role("navigation", name="Staff pages").get_by_role(
            "link", name=label, exact=True).click()
        expect(page.get_by_role("navigation", name="Staff pages").get_by_role(
            "link", name=label, exact=True)).to_have_attribute("aria-current", "page")
    assert [s for s, _ in statuses if s in (403, 500)] == []
    assert len([s for s, _ in statuses if s == 200]) >= len(labels) + 1
