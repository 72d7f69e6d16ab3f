"""The campaign editor in Chromium, as two campaign managers of one brand: a form edit with its
diff, save, pause and resume, the history, and four eyes on a money change; screenshots in
docs/screens/."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.review.tests.factories import PASSWORD
from tests.browser.conftest import EXAMPLE_TODAY
from tests.browser.desk_helpers import (
    assert_accessible,
    sign_in_at,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _manager(email: str):
    user = staff_create(email=email, role="campaign_manager", password=PASSWORD,
                        brands=["sonos"])
    StaffTotpDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def _log_in(page: Page, url: str, user) -> None:
    sign_in_at(page, url, user)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Campaign sonos-summer-2019")


def test_a_manager_edits_pauses_and_a_second_manager_approves_money(live_server, open_page,
                                                                    shot):
    brand_create(slug="sonos", name="Sonos")
    shift = (datetime.now(UTC).date() - EXAMPLE_TODAY.date()).days
    campaign = campaign_factory(brand="sonos", shift_days=shift)  # live today
    first, second = _manager("m1@rabatt.test"), _manager("m2@rabatt.test")
    url = f"{live_server.url}/staff/campaigns/{campaign.slug}/"

    page = open_page("desktop", "en")
    _log_in(page, url, first)
    expect(page.get_by_text("The campaign is live")).to_be_visible()
    assert_accessible(page)
    shot(page, "editor-campaign", full_page=True)

    # A retailer through its form: preview the diff, then save (not money: applies at once).
    retailer = page.locator("#part-retailer")
    retailer.locator("summary").click()
    retailer.get_by_label("Retailer id").fill("power-no-2")
    retailer.get_by_label("Country (two letters)").fill("NO")
    retailer.get_by_label("Name", exact=True).fill("POWER Oslo")
    retailer.get_by_role("button", name="Preview").click()
    diff = page.locator("pre.diff")
    expect(diff).to_contain_text("+- id: power-no-2")
    diff.evaluate("e => e.parentElement.scrollIntoView()")
    shot(page, "editor-diff")
    page.locator("#part-retailer").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The change was applied.")).to_be_visible()
    assert campaign.retailers.filter(code="power-no-2").exists()

    # Pause and resume: no second manager, and both in the history.
    page.get_by_role("button", name="Pause the campaign").click()
    expect(page.get_by_text("The campaign is paused: new claims are refused.")).to_be_visible()
    assert Campaign.objects.get(pk=campaign.pk).state == "paused"
    page.get_by_role("button", name="Resume the campaign").click()
    expect(page.get_by_text("The campaign accepts claims again.")).to_be_visible()

    # A cap on a live campaign waits for a second manager.
    cap = page.locator("#part-cap")
    cap.locator("summary").click()
    cap.get_by_label("Currency").fill("NOK")
    cap.get_by_label("Most paid per claim").fill("1500")
    cap.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The change waits for a second campaign manager.")).to_be_visible()
    history = page.locator("section[aria-labelledby=h-history] tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Waiting for a second manager")
    expect(history.nth(1)).to_contain_text("resume")
    expect(history.nth(2)).to_contain_text("pause")
    page.locator("#h-history").evaluate("e => e.scrollIntoView()")
    shot(page, "editor-history")

    other = open_page("desktop", "en")
    _log_in(other, url, second)
    other.locator("section[aria-labelledby=h-history]").get_by_role(
        "button", name="Approve").click()
    expect(other.get_by_text("The change was applied.")).to_be_visible()
    expect(other.locator("section[aria-labelledby=h-history] tbody tr").nth(0)).to_contain_text(
        "m2@rabatt.test")
    assert campaign.caps.get(channel="retailer", currency="NOK").amount == 1500
