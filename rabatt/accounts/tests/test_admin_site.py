"""The Django admin: the operator's administrators only, never staff of some brands."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.tests.factories import verified_client

pytestmark = pytest.mark.django_db


def _staff(email: str, role: str, brands: tuple[str, ...] = ()) -> Any:
    user = staff_create(email=email, role=role, password="a-long-password-1", brands=brands)
    StaffTotpDevice.objects.create(user=user, name="app", confirmed=True)
    # Django's flags at their widest: the brand and the role alone must keep people out.
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def brand_b_rows(db: Any) -> list[tuple[str, str]]:
    """A claim of brand B (and with it its campaign, code, events...); the admin's row URLs."""
    brand_create(slug="brand-a", name="Brand A")
    brand_create(slug="brand-b", name="Brand B")
    campaign = campaign_factory(brand="brand-b")
    claim_factory(campaign)
    urls = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append((f"{meta.app_label}.{meta.model_name}",
                     reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
        row = model_admin.get_queryset(_request_stub()).first()
        if row is not None:
            urls.append((f"{meta.app_label}.{meta.model_name} #{row.pk}", reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])))
    return urls


def _request_stub() -> Any:
    class Stub:
        user = get_user_model()(is_superuser=True)

    return Stub()


@pytest.mark.parametrize("role", ["administrator", "campaign_manager", "supervisor",
                                  "finance", "agent", "privacy_officer"])
def test_staff_of_a_brand_can_neither_list_nor_open_any_row(brand_b_rows, role):
    client = verified_client(_staff(f"{role}@brand-a.test", role, ("brand-a",)))
    assert len(brand_b_rows) > len(admin.site._registry)  # rows of brand B exist to open
    for what, url in [("index", "/admin/"), *brand_b_rows]:
        response = client.get(url, follow=True)
        assert response.status_code == 403, (what, url, response.status_code)
        assert b"brand-b" not in response.content


def test_the_operators_administrator_opens_every_list_and_row(brand_b_rows):
    client = verified_client(_staff("root@operator.test", "administrator"))
    for what, url in [("index", "/admin/"), *brand_b_rows]:
        assert client.get(url).status_code == 200, (what, url)


def test_other_operator_staff_and_visitors_stay_out(brand_b_rows):
    supervisor = verified_client(_staff("sup@operator.test", "supervisor"))
    assert supervisor.get("/admin/", follow=True).status_code == 403
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in Client().get(response["Location"])["Location"]
