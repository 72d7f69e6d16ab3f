import pytest
from django.contrib.auth.models import AnonymousUser

from rabatt.accounts.selectors import (
    brand_ids_visible_to,
    brands_visible_to,
    campaign_visible_to,
    campaigns_visible_to,
    scope_by_brand,
    sees_all_brands,
)
from rabatt.accounts.services import staff_create, staff_deactivate
from rabatt.campaigns.models import Campaign, CampaignCountry
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a = brand_create(slug="brand-a", name="A")
    b = brand_create(slug="brand-b", name="B")
    return {
        "a": a, "b": b,
        "ca": campaign_factory(slug="camp-a", brand="brand-a"),
        "cb": campaign_factory(slug="camp-b", brand="brand-b"),
        "operator": campaign_factory(slug="camp-operator"),
    }


def _slugs(qs):
    return sorted(qs.values_list("slug", flat=True))


def test_staff_of_one_brand_see_only_that_brand(world):
    user = staff_create(email="a@rabatt.test", role="agent", brands=["brand-a"])
    assert brand_ids_visible_to(user) == frozenset({world["a"].pk})
    assert _slugs(brands_visible_to(user)) == ["brand-a"]
    assert _slugs(campaigns_visible_to(user)) == ["camp-a"]
    assert campaign_visible_to(user, world["ca"])
    assert not campaign_visible_to(user, world["cb"])
    assert not campaign_visible_to(user, world["operator"])
    rows = scope_by_brand(CampaignCountry.objects.all(), user)
    assert {r.campaign.slug for r in rows} == {"camp-a"}
    assert not sees_all_brands(user)


def test_staff_of_two_brands_see_both(world):
    user = staff_create(email="ab@rabatt.test", role="campaign_manager",
                        brands=["brand-a", "brand-b"])
    assert _slugs(campaigns_visible_to(user)) == ["camp-a", "camp-b"]


def test_operator_staff_and_administrators_see_every_brand(world):
    admin = staff_create(email="x@rabatt.test", role="administrator")
    assert brand_ids_visible_to(admin) is None
    assert sees_all_brands(admin)
    assert _slugs(campaigns_visible_to(admin)) == ["camp-a", "camp-b", "camp-operator"]
    assert campaign_visible_to(admin, world["operator"])


def test_anyone_who_is_not_active_staff_sees_nothing(world):
    user = staff_create(email="gone@rabatt.test", role="administrator")
    staff_deactivate(user=user)
    user.refresh_from_db()
    assert not campaigns_visible_to(user).exists()
    assert not campaigns_visible_to(AnonymousUser()).exists()
    assert not scope_by_brand(Campaign.objects.all(), AnonymousUser(), brand_path="brand").exists()
    assert not sees_all_brands(AnonymousUser())
