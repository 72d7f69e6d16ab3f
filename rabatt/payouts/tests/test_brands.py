"""Finance staff of some brands build and see only their brands' batches; bank-file imports
(which carry every brand's payments) are for staff of every brand."""

from __future__ import annotations

import pytest

from rabatt.accounts.services import staff_set_brands
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.payouts.models import PaymentBatch
from rabatt.payouts.tests.factories import approved_claims, payer
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand_finance():
    brand_create(slug="brand-a", name="Alpha")
    brand_create(slug="brand-b", name="Beta")
    user = staff_user("finance", "fa@rabatt.test")
    staff_set_brands(user=user, brands=["brand-a"])
    return user


def test_brand_finance_builds_for_their_campaign_only(brand_finance):
    camp_a = campaign_factory(slug="camp-a", brand="brand-a")
    camp_b = campaign_factory(slug="camp-b", brand="brand-b")
    mine = approved_claims(camp_a, 2)
    approved_claims(camp_b, 3)
    payer("NOK")
    client = verified_client(brand_finance)
    index = client.get("/staff/payouts/").content.decode()
    assert 'value="camp-a"' in index
    assert 'value="camp-b"' not in index
    assert "NOK\u00a01,497.00" in index  # only brand A's two claims wait for payment
    refused = client.post("/staff/payouts/build/", {"currency": "NOK"})
    assert refused.status_code == 422
    assert "Choose a campaign: you serve only some brands." in refused.content.decode()
    other = client.post("/staff/payouts/build/", {"currency": "NOK", "campaign": "camp-b"})
    assert other.status_code == 422
    assert not PaymentBatch.objects.exists()
    built = client.post("/staff/payouts/build/", {"currency": "NOK", "campaign": "camp-a"})
    assert built.status_code == 302
    batch = PaymentBatch.objects.get()
    assert sorted(batch.payments.values_list("claim_id", flat=True)) == sorted(
        c.pk for c in mine)


def test_bank_file_imports_are_for_staff_of_every_brand(brand_finance):
    client = verified_client(brand_finance)
    page = client.get("/staff/payouts/imports/")
    assert page.status_code == 403
    assert "only staff who serve every brand import them" in page.content.decode()
    assert verified_client(staff_user("finance")).get("/staff/payouts/imports/").status_code \
        == 200
