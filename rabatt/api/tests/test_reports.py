"""The staff summary API: the dashboard's figures, by role, with amounts as decimal strings."""

from __future__ import annotations

import pytest

from rabatt.accounts.services import token_create
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.tests.factories import staff_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/staff/reports/summary"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)[1]}"}


def test_summary_of_a_campaign(client, campaign):
    claim_factory(campaign, status="paid")
    claim_factory(campaign, status="approved", email="b@example.no")
    claim_factory(campaign, status="in_review", email="c@example.no",
                  submitted_at="2019-08-02T09:00:00+00:00")
    manager = staff_user("campaign_manager", "manager@rabatt.test")
    body = client.get(f"{URL}?campaign={campaign.slug}", **bearer(manager)).json()
    assert body["claims_by_status"] == {
        "submitted": 0, "in_review": 1, "info_requested": 0, "approved": 1, "rejected": 0,
        "lapsed": 0, "withdrawn": 0, "voided": 0, "paid": 1, "payment_failed": 0}
    assert body["claims_per_day"] == [
        {"date": "2019-08-01", "status": "approved", "count": 1},
        {"date": "2019-08-01", "status": "paid", "count": 1},
        {"date": "2019-08-02", "status": "in_review", "count": 1}]
    assert body["liability"] == [{"currency": "NOK", "quoted": "748.50",
                                  "approved_unpaid": "748.50", "paid": "748.50"}]
    # Narrowed by country and period.
    auth = bearer(manager)
    assert client.get(f"{URL}?campaign={campaign.slug}&country=se", **auth).json()[
        "liability"] == []
    only_2nd = client.get(f"{URL}?since=2019-08-02&until=2019-08-02", **auth).json()
    assert only_2nd["claims_per_day"] == [
        {"date": "2019-08-02", "status": "in_review", "count": 1}]


def test_refusals_are_json_never_500(client, campaign, agent):
    manager = staff_user("campaign_manager", "manager@rabatt.test")
    auth = bearer(manager)
    assert client.get(URL).status_code == 401
    assert client.get(URL, **bearer(agent)).json()["code"] == "permission_denied"
    missing = client.get(f"{URL}?campaign=nope", **auth)
    assert (missing.status_code, missing.json()["code"]) == (404, "campaign_not_found")
    assert client.get(f"{URL}?country=NOR", **auth).json()["code"] == "invalid_country"
    assert client.get(f"{URL}?since=2019-08-03&until=2019-08-01",
                      **auth).json()["code"] == "invalid_period"
    assert client.get(f"{URL}?since=yesterday", **auth).status_code == 422


def test_staff_of_one_brand_never_see_another_brands_figures(client, campaign):
    from rabatt.campaigns.services import brand_create
    from rabatt.campaigns.tests.factories import campaign_factory

    brand_create(slug="alpha", name="Alpha")
    brand_create(slug="beta", name="Beta")
    alpha = campaign_factory(slug="alpha-summer", brand="alpha")
    beta = campaign_factory(slug="beta-summer", brand="beta")
    claim_factory(alpha, status="paid")
    claim_factory(beta, status="approved", email="b@example.no")
    claim_factory(beta, status="approved", email="c@example.no")
    alpha_manager = bearer(_manager("a@rabatt.test", ["alpha"]))
    operator = bearer(staff_user("campaign_manager", "op@rabatt.test"))

    def statuses(auth, query=""):
        body = client.get(f"{URL}{query}", **auth).json()
        return {k: v for k, v in body["claims_by_status"].items() if v}

    assert statuses(alpha_manager) == {"paid": 1}
    assert statuses(alpha_manager, "?brand=alpha") == {"paid": 1}
    for query in ("?campaign=beta-summer", "?brand=beta"):
        refused = client.get(f"{URL}{query}", **alpha_manager)
        assert refused.status_code == 404
    assert statuses(operator) == {"paid": 1, "approved": 2}
    assert statuses(operator, "?brand=beta") == {"approved": 2}


def _manager(email: str, brands: list[str]):
    from rabatt.accounts.services import staff_create

    return staff_create(email=email, role="campaign_manager", password="x" * 20, brands=brands)
