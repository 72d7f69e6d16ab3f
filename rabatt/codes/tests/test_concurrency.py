"""One code, a hundred orders at the same moment: exactly one redemption."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from rabatt.codes.models import Code, CodeEvent, CodeStatus, Redemption
from rabatt.codes.tests.concurrency import needs_postgres, run_together
from rabatt.codes.tests.factories import direct_code, order, shop_key

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("during_campaign")]
N = 100


def test_hundred_orders_one_code_one_success(campaign, settings):
    settings.RATE_LIMITS_ENABLED = False
    code = direct_code(campaign)
    _key, secret = shop_key(campaign)
    body = order(code)

    def redeem(i: int) -> tuple[int, str]:
        response = Client().post("/api/v1/codes/redeem", {**body, "order_id": f"WEB-{i}"},
                                 content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {secret}")
        data = response.json()
        return response.status_code, data.get("code", "ok")

    results = run_together(redeem, N)
    assert Counter(results) == {(200, "ok"): 1, (409, "code_already_used"): N - 1}, results
    assert Redemption.objects.count() == 1
    assert Code.objects.get(pk=code.pk).status == CodeStatus.USED
    assert CodeEvent.objects.filter(kind="redeemed").count() == 1


def test_concurrent_retries_of_one_order_answer_alike(campaign, settings):
    settings.RATE_LIMITS_ENABLED = False
    code = direct_code(campaign)
    _key, secret = shop_key(campaign)

    def redeem(_i: int) -> tuple[int, dict[str, object]]:
        response = Client().post("/api/v1/codes/redeem", order(code),
                                 content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {secret}")
        return response.status_code, response.json()

    results = run_together(redeem, 20)
    assert len(set(map(str, results))) == 1, results
    assert results[0][0] == 200
    assert Redemption.objects.count() == 1
