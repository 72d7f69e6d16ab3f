"""The campaign manager's dashboard in Chromium: charts drawn from our own static files, a
table behind each, filters by brand and country; screenshots in docs/screens/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.tests.factories import PASSWORD
from tests.browser.desk_helpers import (
    assert_accessible,
    sign_in_at,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in_to_dashboard(page: Page, base: str, user) -> None:
    sign_in_at(page, f"{base}/staff/reports/", user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def _charts_drawn(page: Page, count: int) -> None:
    expect(page.locator("html[data-charts-drawn=true]")).to_have_count(1)
    drawn = page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')]
        .filter(c => Chart.getChart(c) && c.width > 0).length""")
    assert drawn == count


def test_manager_reads_the_dashboard_per_campaign_and_per_brand(live_server, open_page, shot):
    brand_create(slug="sonos", name="Sonos")
    brand_create(slug="other", name="Other brand")
    campaign = campaign_factory(brand="sonos")
    other = campaign_factory(slug="other-summer", brand="other")
    days = ["2019-07-29", "2019-07-30", "2019-07-31", "2019-08-01", "2019-08-02"]
    statuses = ["paid", "approved", "rejected", "info_requested", "submitted", "paid",
                "in_review", "approved", "paid", "rejected"]
    for i, status in enumerate(statuses):
        claim_factory(campaign, status=status, email=f"c{i}@example.no",
                      submitted_at=f"{days[i % len(days)]}T10:00:00+00:00")
    claim_factory(other, status="approved", email="other@example.no")
    manager = staff_create(email="manager@rabatt.test", role="campaign_manager",
                           password=PASSWORD, brands=["sonos"])
    StaffTotpDevice.objects.create(user=manager, name="app", confirmed=True)

    page = open_page("desktop", "en")
    _log_in_to_dashboard(page, live_server.url, manager)
    _charts_drawn(page, 8)
    per_day = page.locator("section[data-panel=per_day] table")
    expect(per_day.locator("tbody tr")).to_have_count(5)
    liability = page.locator("section[data-panel=liability] tbody tr")
    expect(liability).to_have_count(1)
    expect(liability).to_contain_text("NOK")
    # The other brand's campaign is neither offered nor counted.
    expect(page.locator("#id_campaign option")).to_have_count(2)
    expect(page.locator("#id_brand option")).to_have_text(["All brands", "Sonos"])
    assert "other-summer" not in page.content()
    assert_accessible(page)
    shot(page, "dashboard-campaign", full_page=True)

    page.select_option("#id_brand", "sonos")
    page.select_option("#id_country", "NO")
    page.get_by_role("button", name="Show").click()
    _charts_drawn(page, 8)
    expect(page.locator("section[data-panel=funnel] tbody tr").nth(2)).to_contain_text("10")
    shot(page, "dashboard-brand", full_page=True)
