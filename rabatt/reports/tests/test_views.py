"""The dashboard page: every panel with its table, filters, roles and brands."""

from __future__ import annotations

import pytest

from rabatt.accounts.services import staff_create
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db
URL = "/staff/reports/"


def test_dashboard_shows_every_panel_with_a_table(campaign):
    claim_factory(campaign, status="paid")
    claim_factory(campaign, status="rejected", email="b@example.no")
    client = verified_client(staff_user("campaign_manager", "manager@rabatt.test"))
    page = client.get(URL).content.decode()
    for key in ("per_day", "liability", "funnel", "timing", "reasons", "checks", "signals",
                "referrals"):
        assert f'data-panel="{key}"' in page
    assert page.count("<table") == 8
    assert page.count('<canvas data-chart="chart-') == 8
    assert "/static/reports/chart.umd.min.js" in page
    assert "NOK\u00a0748.50" in page or "NOK 748.50" in page  # paid, in its currency
    assert "not_eligible".replace("_", " ") in page


def test_filters_narrow_and_bad_filters_are_not_500(campaign):
    claim_factory(campaign, status="paid")
    client = verified_client(staff_user("campaign_manager", "manager@rabatt.test"))
    page = client.get(URL, {"country": "SE"}).content.decode()
    assert page.count("Nothing in this period.") == 4  # per day, liability, reasons, signals
    assert client.get(URL, {"since": "2019-08-05", "until": "2019-08-01"}).status_code == 422
    assert client.get(URL, {"since": "not a date", "campaign": "nope"}).status_code == 200


def test_roles_and_brands(campaign):
    assert verified_client(staff_user("agent", "agent@rabatt.test")).get(URL).status_code == 403
    brand_create(slug="alpha", name="Alpha")
    brand_create(slug="beta", name="Beta")
    claim_factory(campaign_factory(slug="beta-summer", brand="beta"), status="paid")
    manager = staff_create(email="a@rabatt.test", role="campaign_manager", password="x" * 20,
                           brands=["alpha"])
    from rabatt.accounts.models import StaffTotpDevice

    StaffTotpDevice.objects.create(user=manager, name="app", confirmed=True)
    client = verified_client(manager)
    page = client.get(URL).content.decode()
    assert "beta-summer" not in page
    assert "Beta" not in page
    assert page.count("Nothing in this period.") == 4
    assert client.get(URL, {"brand": "beta"}).status_code == 200  # not a choice: ignored
