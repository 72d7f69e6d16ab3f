"""Fifty friends on one link at the same moment: exactly three get in."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from rabatt.codes.alphabet import display
from rabatt.codes.models import Code
from rabatt.codes.tests.concurrency import needs_postgres, run_together
from rabatt.codes.tests.factories import direct_code
from rabatt.referrals.models import Friend
from rabatt.referrals.services import referral_link

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]
N = 50


def test_fifty_signups_on_one_link_give_exactly_three(campaign, settings):
    settings.RATE_LIMITS_ENABLED = False
    referral, _ = referral_link(campaign=campaign, code_text=display(direct_code(campaign).code))

    def signup(i: int) -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/referrals/{referral.token}/friends",
            {"name": f"Friend {i}", "email": f"friend{i}@example.no"},
            content_type="application/json", REMOTE_ADDR=f"10.{i}.0.1",
        )
        return response.status_code, response.json().get("code", "ok")

    results = run_together(signup, N)
    assert Counter(results) == {(201, "ok"): 3, (409, "referral_limit_reached"): N - 3}, results
    assert sorted(Friend.objects.values_list("slot", flat=True)) == [1, 2, 3]
    # Refused sign-ups left no codes behind.
    assert Code.objects.filter(channel="direct").count() == 1 + 3


def test_one_friend_on_many_links_at_once_is_referred_once(campaign, settings):
    settings.RATE_LIMITS_ENABLED = False
    tokens = [referral_link(campaign=campaign, code_text=display(direct_code(campaign).code))[0]
              .token for _ in range(10)]

    def signup(i: int) -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/referrals/{tokens[i]}/friends",
            {"name": "Ola", "email": "ola.nordmann@example.no"},
            content_type="application/json", REMOTE_ADDR=f"10.{i}.0.1",
        )
        return response.status_code, response.json().get("code", "ok")

    results = run_together(signup, 10)
    assert Counter(results) == {(201, "ok"): 1, (409, "already_referred"): 9}, results
    assert Friend.objects.count() == 1
