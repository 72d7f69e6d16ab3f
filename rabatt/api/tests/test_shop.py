"""The shop API: keys, validate, redeem (idempotent), cancel, return, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rabatt.campaigns.tests.factories import campaign_factory, example_data
from rabatt.codes.models import Code, CodeEvent, CodeStatus, Redemption
from rabatt.codes.services import api_key_revoke
from rabatt.codes.tests.factories import direct_code, mistyped, order, shop_key
from rabatt.codes.tests.fixtures import campaign, during_campaign

__all__ = ["campaign", "during_campaign"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during_campaign")]


@pytest.fixture
def key(campaign):
    return shop_key(campaign)[1]


def post(key: str | None, path: str, body: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client().post(f"/api/v1/codes/{path}", body, content_type="application/json",
                         headers=headers)


def test_health():
    response = Client().get("/api/v1/health")
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_validate_answers_the_discount_and_uses_nothing(campaign, key):
    code = direct_code(campaign)
    response = post(key, "validate", order(code))
    assert response.status_code == 200, response.json()
    assert response.json() == {"valid": True, "discount": "748.50", "currency": "NOK"}
    code.refresh_from_db()
    assert code.status == CodeStatus.AVAILABLE
    assert not Redemption.objects.exists()


def test_validate_applies_the_discount_cap(campaign, key):
    code = direct_code(campaign)
    body = order(code, lines=[{"product": "beam", "price": "20000.00", "quantity": 1}])
    assert post(key, "validate", body).json()["discount"] == "1455.00"


def test_redeem_then_same_order_again_answers_alike(campaign, key):
    code = direct_code(campaign)
    first = post(key, "redeem", order(code))
    assert first.status_code == 200, first.json()
    redemption = Redemption.objects.get()
    assert first.json() == {"redeemed": True, "discount": "748.50", "currency": "NOK",
                            "redemption_id": redemption.pk}
    again = post(key, "redeem", order(code))
    assert (again.status_code, again.json()) == (200, first.json())
    assert Redemption.objects.count() == 1
    code.refresh_from_db()
    assert code.status == CodeStatus.USED
    assert list(CodeEvent.objects.filter(code=code).values_list("kind", flat=True)) == [
        "issued", "redeemed"]


def test_a_redeemed_code_is_refused_for_another_order(campaign, key):
    code = direct_code(campaign)
    post(key, "redeem", order(code))
    response = post(key, "redeem", order(code, order_id="WEB-2"))
    assert response.status_code == 409
    assert response.json()["code"] == "code_already_used"
    assert post(key, "validate", order(code, order_id="WEB-2")).json()["code"] == \
        "code_already_used"
    assert Redemption.objects.count() == 1


def test_an_order_takes_one_code_only(campaign, key):
    post(key, "redeem", order(direct_code(campaign)))
    other = direct_code(campaign)
    response = post(key, "redeem", order(other))
    assert (response.status_code, response.json()["code"]) == (409, "order_already_redeemed")
    other.refresh_from_db()
    assert other.status == CodeStatus.AVAILABLE


@pytest.mark.parametrize(("change", "status", "reason"), [
    ({"other_discounts": True}, 422, "combined_offer"),
    ({"code": "mistyped"}, 422, "code_invalid"),
    ({"lines": [{"product": "gift-card", "price": "500.00"}]}, 422, "not_eligible"),
    ({"currency": "SEK"}, 422, "not_eligible"),
])
def test_refusals_change_nothing(campaign, key, change, status, reason):
    code = direct_code(campaign)
    if change.get("code") == "mistyped":
        change = {"code": mistyped(code)}
    for path in ("validate", "redeem"):
        response = post(key, path, order(code, **change))
        assert (response.status_code, response.json()["code"]) == (status, reason), path
    code.refresh_from_db()
    assert code.status == CodeStatus.AVAILABLE
    assert not Redemption.objects.exists()


def test_not_eligible_lists_the_engines_reasons(campaign, key):
    body = order(direct_code(campaign), lines=[{"product": "gift-card", "price": "500.00"}])
    reasons = [r["code"] for r in post(key, "redeem", body).json()["reasons"]]
    assert reasons == ["product_not_qualifying", "no_qualifying_products"]


def test_unknown_code(campaign, key):
    from rabatt.codes.alphabet import display, generate

    response = post(key, "redeem", order(display(generate())))
    assert (response.status_code, response.json()["code"]) == (404, "code_unknown")


def test_a_cashback_code_cannot_be_used_in_the_shop(campaign, key):
    code = direct_code(campaign, channel="retailer")
    response = post(key, "redeem", order(code))
    assert (response.status_code, response.json()["code"]) == (422, "code_wrong_channel")
    code.refresh_from_db()
    assert code.status == CodeStatus.AVAILABLE


def test_outside_the_purchase_window(campaign, key, during_campaign):
    during_campaign.move_to("2019-08-20T10:00:00Z")
    response = post(key, "redeem", order(direct_code(campaign)))
    assert response.status_code == 422
    assert [r["code"] for r in response.json()["reasons"]] == ["purchase_outside_window"]


def test_keys(campaign):
    code = direct_code(campaign)
    assert post(None, "redeem", order(code)).status_code == 401
    assert post("rk_00000000.wrong", "redeem", order(code)).status_code == 401
    other = campaign_factory(slug="other-campaign")
    _key, foreign = shop_key(other, name="other-shop")
    response = post(foreign, "redeem", order(code))
    assert (response.status_code, response.json()["code"]) == (403, "campaign_not_allowed")
    _key, mine = shop_key(campaign, name="mine")
    api_key_revoke(name_or_prefix="mine")
    assert post(mine, "validate", order(code)).status_code == 401
    assert not Redemption.objects.exists()


def test_cancel_releases_the_code_once(campaign, key):
    code = direct_code(campaign)
    rid = post(key, "redeem", order(code)).json()["redemption_id"]
    response = post(key, "cancel", {"redemption_id": rid})
    assert response.json() == {"redemption_id": rid, "status": "cancelled",
                               "code_available": True}
    assert post(key, "cancel", {"redemption_id": rid}).json()["status"] == "cancelled"
    assert CodeEvent.objects.filter(kind="cancelled").count() == 1
    # The code can be used again, by a new order.
    again = post(key, "redeem", order(code, order_id="WEB-9"))
    assert again.status_code == 200
    assert again.json()["redemption_id"] != rid
    assert post(key, "return", {"redemption_id": rid}).json()["code"] == "redemption_not_live"


def test_return_voids_and_keeps_the_code_used(campaign, key):
    code = direct_code(campaign)
    rid = post(key, "redeem", order(code)).json()["redemption_id"]
    response = post(key, "return", {"redemption_id": rid, "reason": "speaker returned"})
    assert response.json() == {"redemption_id": rid, "status": "voided", "code_available": False}
    assert Code.objects.get(pk=code.pk).status == CodeStatus.USED
    assert post(key, "cancel", {"redemption_id": rid}).status_code == 409
    assert post(key, "redeem", order(code, order_id="WEB-3")).json()["code"] == \
        "code_already_used"
    event = CodeEvent.objects.get(kind="voided")
    assert event.data == {"reason": "speaker returned"}


def test_another_campaigns_key_cannot_touch_a_redemption(campaign, key):
    rid = post(key, "redeem", order(direct_code(campaign))).json()["redemption_id"]
    _k, foreign = shop_key(campaign_factory(slug="other-campaign"), name="other")
    assert post(foreign, "cancel", {"redemption_id": rid}).status_code == 404
    assert Redemption.objects.get().status == "redeemed"


def test_rate_limits_count_invalid_codes(campaign, key, settings):
    settings.RABATT_SHOP_RATE_PER_KEY = 3
    bad = order(mistyped(direct_code(campaign)))
    assert [post(key, "validate", bad).status_code for _ in range(4)] == [422, 422, 422, 429]


@pytest.fixture
def memory_cache(memory_cache, settings):
    """The shared memory cache, without rate limits (the tests count queries, not tries)."""
    settings.RATE_LIMITS_ENABLED = False


def test_validate_reads_only_the_code_once_the_key_is_cached(memory_cache, campaign, key,
                                                            django_assert_num_queries):
    code = direct_code(campaign)
    assert post(key, "validate", order(code)).status_code == 200
    with django_assert_num_queries(1):
        response = post(key, "validate", order(code))
    assert response.json() == {"valid": True, "discount": "748.50", "currency": "NOK"}


@pytest.mark.postgres
def test_redeem_is_one_statement_on_postgresql(memory_cache, campaign, key,
                                               django_assert_num_queries):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement redeem is PostgreSQL's (UPDATE ... RETURNING in a CTE)")
    post(key, "validate", order(direct_code(campaign)))  # caches the key and the campaign
    code = direct_code(campaign)
    # Inside the test's transaction the statement runs in a savepoint: 3 queries here, 1 in
    # production's autocommit (benchmarks/load.py measures that).
    with django_assert_num_queries(3) as captured:
        response = post(key, "redeem", order(code, order_id="ONE-TRIP"))
    assert response.status_code == 200, response.json()
    assert [q["sql"].split()[0] for q in captured.captured_queries] == [
        "SAVEPOINT", "WITH", "RELEASE"]
    redemption = Redemption.objects.get()
    assert response.json() == {"redeemed": True, "discount": "748.50", "currency": "NOK",
                               "redemption_id": redemption.pk}
    assert (redemption.code_id, redemption.order_id, redemption.status, redemption.country,
            redemption.lines) == (code.pk, "ONE-TRIP", "redeemed", "NO",
                                  [{"product": "beam", "price": "4990.00", "quantity": 1}])
    code.refresh_from_db()
    assert code.status == CodeStatus.USED
    assert code.used_at is not None
    event = CodeEvent.objects.get(kind="redeemed")
    assert (event.code_id, event.redemption_id, event.data) == (
        code.pk, redemption.pk,
        {"order_id": "ONE-TRIP", "discount": "748.50", "currency": "NOK"})
    assert event.api_key is not None
    assert event.api_key.name == "webshop"


def test_a_revoked_key_is_refused_on_the_next_request(memory_cache, campaign, key):
    code = direct_code(campaign)
    assert post(key, "validate", order(code)).status_code == 200
    api_key_revoke(name_or_prefix="webshop")
    assert post(key, "validate", order(code)).status_code == 401


def test_a_changed_campaign_answers_with_its_new_rules(memory_cache, campaign, key):
    code = direct_code(campaign)
    assert post(key, "validate", order(code)).json()["discount"] == "748.50"
    data = example_data()
    data["benefit"]["rate"] = 20
    campaign_factory(data)
    assert post(key, "validate", order(code)).json()["discount"] == "998.00"
