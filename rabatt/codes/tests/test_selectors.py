"""API keys through the shared cache: one round trip, a revoked key refused at once."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from rabatt.campaigns.rules import PurchaseLine
from rabatt.campaigns.services import campaign_bump_revision
from rabatt.campaigns.tests.factories import campaign_factory, example_data
from rabatt.codes.models import ApiKey, CodeStatus
from rabatt.codes.selectors import api_key_authenticate, api_key_scope
from rabatt.codes.services import OrderIn, api_key_create, api_key_revoke, code_redeem
from rabatt.codes.tests.factories import direct_code
from rabatt.core.cache import local_clear
from rabatt.core.errors import PermissionDenied
from rabatt.core.timeutil import utcnow

pytestmark = pytest.mark.django_db

def test_a_known_key_costs_no_query_the_second_time(memory_cache, campaign,
                                                    django_assert_num_queries):
    key, secret = api_key_create(name="webshop", campaigns=[campaign])
    first = api_key_scope(secret=secret)
    with django_assert_num_queries(0):
        second = api_key_scope(secret=secret)
    assert first is not None
    assert second is not None
    assert second.key.pk == key.pk
    assert {slug: c.pk for slug, c in second.campaigns.items()} == {campaign.slug: campaign.pk}
    assert second.campaign_ids == [campaign.pk]


def test_a_revoked_key_is_refused_at_once(memory_cache, campaign):
    key, secret = api_key_create(name="webshop", campaigns=[campaign])
    other, other_secret = api_key_create(name="other", campaigns=[campaign])
    assert api_key_authenticate(secret=secret) == key
    api_key_revoke(name_or_prefix="webshop")
    assert api_key_scope(secret=secret) is None
    assert api_key_authenticate(secret=other_secret) == other


def test_a_revoked_key_is_refused_after_commit(memory_cache, campaign,
                                               django_capture_on_commit_callbacks):
    _key, secret = api_key_create(name="webshop", campaigns=[campaign])
    assert api_key_scope(secret=secret) is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        api_key_revoke(name_or_prefix="webshop")
    assert len(callbacks) == 1
    assert api_key_scope(secret=secret) is None


def test_a_changed_campaign_is_read_again(memory_cache, campaign):
    _key, secret = api_key_create(name="webshop", campaigns=[campaign])
    before = api_key_scope(secret=secret)
    assert before is not None
    campaign_bump_revision(campaign_id=campaign.pk)
    after = api_key_scope(secret=secret)
    assert after is not None
    assert after.campaigns[campaign.slug].revision == campaign.revision + 1


def test_a_key_sees_only_its_own_campaigns(memory_cache, campaign):
    data = example_data()
    data["slug"] = "winter-2019"
    winter = campaign_factory(data)
    _key, secret = api_key_create(name="winter-shop", campaigns=[winter])
    scope = api_key_scope(secret=secret)
    assert scope is not None
    assert list(scope.campaigns) == ["winter-2019"]


def test_an_unknown_secret_is_refused_and_not_cached(memory_cache, campaign):
    assert api_key_scope(secret="rk_00000000.nothing") is None
    assert api_key_scope(secret="") is None
    assert api_key_scope(secret="x" * 201) is None
    assert not [k for k in cache._cache if "apikey:" in k]  # type: ignore[attr-defined]


def test_a_cache_that_is_down_only_sends_reads_to_the_database(settings, campaign):
    _key, secret = api_key_create(name="webshop", campaigns=[campaign])
    # Nothing listens on port 1: every cache call fails to connect.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    scope = api_key_scope(secret=secret)
    assert scope is not None
    assert list(scope.campaigns) == [campaign.slug]
    assert api_key_scope(secret="rk_00000000.nothing") is None


@pytest.mark.usefixtures("during_campaign")
def test_a_process_copy_lives_for_its_seconds_and_redeem_checks_the_key(memory_cache, settings,
                                                                       campaign):
    settings.HOT_CACHE_LOCAL_SECONDS = 0.2
    key, secret = api_key_create(name="webshop", campaigns=[campaign])
    scope = api_key_scope(secret=secret)
    assert scope is not None
    # Another process revokes the key: this one still holds its copy for a moment...
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=utcnow())
    cache.clear()
    assert api_key_scope(secret=secret) is scope
    # ...but a redeem with that copy is refused all the same, and the code stays available.
    code = direct_code(campaign)
    with pytest.raises(PermissionDenied):
        code_redeem(campaign=campaign, text=code.code, api_key=scope.key,
                    order=OrderIn(order_id="A-1", country="NO", currency="NOK",
                                  lines=[PurchaseLine("beam", Decimal("4990.00"))]))
    code.refresh_from_db()
    assert code.status == CodeStatus.AVAILABLE
    time.sleep(0.3)
    assert api_key_scope(secret=secret) is None
    local_clear()


def test_a_code_is_found_by_its_text_with_every_field_right(campaign, django_assert_num_queries):
    from rabatt.codes.alphabet import normalise
    from rabatt.codes.models import Code
    from rabatt.codes.selectors import code_for_text
    from rabatt.codes.services import codes_issue

    [direct] = codes_issue(campaign=campaign, channel="direct", count=1, note="t")
    [retailer] = codes_issue(campaign=campaign, channel="retailer", count=1, note="t")
    stored = Code.objects.get(code=normalise(direct))
    with django_assert_num_queries(1):
        found = code_for_text(campaign=campaign, canonical=stored.code)
        assert found is not None
        assert (found.pk, found.code, found.channel, found.status, found.campaign) == (
            stored.pk, stored.code, "direct", CodeStatus.AVAILABLE, campaign)
    # The rest is deferred, Django's way: read when asked for.
    with django_assert_num_queries(1):
        assert found.created_at == stored.created_at
    other = code_for_text(campaign=campaign, canonical=normalise(retailer) or "")
    assert other is not None
    assert other.channel == "retailer"
    assert code_for_text(campaign=campaign_factory(slug="other-campaign"),
                         canonical=stored.code) is None
    assert code_for_text(campaign=campaign, canonical="NOSUCHCODE") is None
