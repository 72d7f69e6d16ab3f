"""Campaign reads through the shared cache: read once, never stale after a change."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.selectors import CAMPAIGNS_GENERATION_KEY, campaign_get_cached
from rabatt.campaigns.services import campaign_bump_revision
from rabatt.campaigns.tests.factories import campaign_factory, example_data
from rabatt.core.errors import NotFound

pytestmark = pytest.mark.django_db

def test_the_second_read_costs_no_query(memory_cache, django_assert_num_queries):
    campaign = campaign_factory()
    first = campaign_get_cached(slug=campaign.slug)
    with django_assert_num_queries(0):
        second = campaign_get_cached(slug=campaign.slug)
    assert (first.pk, second.pk, second.revision) == (campaign.pk, campaign.pk,
                                                       campaign.revision)


def test_a_reloaded_campaign_is_read_again_at_once(memory_cache):
    campaign = campaign_factory()
    assert campaign_get_cached(slug=campaign.slug).name == campaign.name
    campaign_factory(name={"en": "Summer, extended"})
    fresh = campaign_get_cached(slug=campaign.slug)
    assert fresh.name == {"en": "Summer, extended"}
    assert fresh.revision == Campaign.objects.get(pk=campaign.pk).revision


def test_a_bumped_revision_is_read_again_after_commit(memory_cache,
                                                      django_capture_on_commit_callbacks):
    campaign = campaign_factory()
    campaign_get_cached(slug=campaign.slug)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign_bump_revision(campaign_id=campaign.pk)
    assert len(callbacks) == 1
    assert campaign_get_cached(slug=campaign.slug).revision == campaign.revision + 1


def test_an_entry_of_an_older_generation_is_not_used(memory_cache):
    campaign = campaign_factory()
    campaign_get_cached(slug=campaign.slug)
    # A reader that fetched the rows before a change committed stored them under the
    # generation of then: once the generation moved on, that entry is never served.
    Campaign.objects.filter(pk=campaign.pk).update(name={"en": "Changed by hand"})
    cache.set(CAMPAIGNS_GENERATION_KEY, "a-later-generation", None)
    assert campaign_get_cached(slug=campaign.slug).name == {"en": "Changed by hand"}


def test_an_unknown_slug_is_not_found_and_not_cached(memory_cache):
    with pytest.raises(NotFound):
        campaign_get_cached(slug="no-such-campaign")
    data = example_data()
    data["slug"] = "no-such-campaign"
    campaign_factory(data)
    assert campaign_get_cached(slug="no-such-campaign").slug == "no-such-campaign"
