"""The campaign editor: loader validation, history, and four eyes on money while live."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from rabatt.campaigns.campaign_file import dump_yaml, parse_yaml
from rabatt.campaigns.models import Campaign
from rabatt.core.errors import Conflict, DomainError, PermissionDenied
from rabatt.editor.models import CampaignChange, ChangeStatus
from rabatt.editor.services import (
    campaign_change_approve,
    campaign_change_preview,
    campaign_change_propose,
    campaign_change_reject,
    campaign_clone,
    campaign_end,
    campaign_extend,
    campaign_file_text,
)
from rabatt.review.tests.factories import staff_user

pytestmark = pytest.mark.django_db
LIVE = "2019-08-01T10:00:00Z"  # inside the example campaign's window
BEFORE = "2019-06-01T10:00:00Z"  # before it starts


@pytest.fixture
def managers(db):
    return (staff_user("campaign_manager", "m1@rabatt.test"),
            staff_user("campaign_manager", "m2@rabatt.test"))


def edited(campaign, change) -> str:
    data = parse_yaml(campaign_file_text(campaign=campaign))
    change(data)
    return dump_yaml(data)


def test_the_loaders_validation_applies_cap_outlier_included(campaign, managers):
    text = edited(campaign, lambda d: d["channels"]["retailer"]["caps"].update(DKK=11251))
    with pytest.raises(DomainError) as refused:
        campaign_change_preview(actor=managers[0], campaign=campaign, text=text)
    assert refused.value.code == "invalid_campaign"
    assert any("DKK" in p for p in refused.value.fields["problems"])
    with pytest.raises(DomainError):
        campaign_change_propose(actor=managers[0], campaign=campaign, text="not: [a campaign")
    assert not CampaignChange.objects.exists()


def test_a_text_change_applies_at_once_with_its_history(campaign, managers):
    text = edited(campaign, lambda d: d["retailers"].append(
        {"id": "power-no-2", "country": "NO", "name": "POWER"}))
    with time_machine.travel(LIVE):
        preview = campaign_change_preview(actor=managers[0], campaign=campaign, text=text)
        assert preview["needs_approval"] is False
        assert "+  name: POWER" in preview["diff"]
        change = campaign_change_propose(actor=managers[0], campaign=campaign, text=text)
    assert change.status == ChangeStatus.APPLIED
    assert campaign.retailers.filter(code="power-no-2").exists()
    with pytest.raises(DomainError, match="Nothing changed"):
        campaign_change_propose(actor=managers[0], campaign=campaign, text=text)


def test_money_on_a_live_campaign_waits_for_a_second_manager(campaign, managers):
    first, second = managers
    text = edited(campaign, lambda d: d["benefit"].update(rate=20))
    with time_machine.travel(LIVE):
        change = campaign_change_propose(actor=first, campaign=campaign, text=text)
        assert (change.status, change.money) == (ChangeStatus.PENDING, ["benefit"])
        assert Campaign.objects.get(pk=campaign.pk).benefit_rate == Decimal("15")
        with pytest.raises(Conflict):  # one waiting change per campaign
            campaign_extend(actor=first, campaign=campaign,
                            purchase_ends_before=datetime(2019, 8, 20, tzinfo=UTC),
                            claims_end_before=datetime(2019, 9, 20, tzinfo=UTC))
        with pytest.raises(PermissionDenied):
            campaign_change_approve(actor=first, change_id=change.pk)
        with pytest.raises(PermissionDenied):
            campaign_change_approve(actor=staff_user("agent", "a@rabatt.test"),
                                    change_id=change.pk)
        approved = campaign_change_approve(actor=second, change_id=change.pk)
    assert (approved.status, approved.decided_by) == (ChangeStatus.APPLIED, second)
    assert Campaign.objects.get(pk=campaign.pk).benefit_rate == Decimal("20")
    with pytest.raises(Conflict):
        campaign_change_reject(actor=second, change_id=change.pk)


def test_before_the_campaign_starts_money_changes_apply_at_once(campaign, managers):
    with time_machine.travel(BEFORE):
        change = campaign_extend(actor=managers[0], campaign=campaign,
                                 purchase_ends_before=datetime(2019, 8, 20, tzinfo=UTC),
                                 claims_end_before=datetime(2019, 9, 20, tzinfo=UTC))
    assert change.status == ChangeStatus.APPLIED
    assert change.money == ["purchase_window", "claims"]
    campaign.refresh_from_db()
    assert campaign.claims_end_before == datetime(2019, 9, 20, tzinfo=UTC)


def test_ending_a_live_campaign_then_a_stale_approval(campaign, managers):
    first, second = managers
    with time_machine.travel(LIVE, tick=False):
        ending = campaign_end(actor=first, campaign=campaign)
        assert ending.status == ChangeStatus.PENDING
        campaign_change_reject(actor=first, change_id=ending.pk)  # withdrawn by the asker
        ending = campaign_end(actor=first, campaign=campaign)
        campaign_change_approve(actor=second, change_id=ending.pk)
    campaign.refresh_from_db()
    assert campaign.claims_end_before == datetime(2019, 8, 1, 10, tzinfo=UTC)
    assert campaign.purchase_ends_before == datetime(2019, 8, 1, 10, tzinfo=UTC)
    assert list(CampaignChange.objects.values_list("kind", "status")) == [
        ("end", "applied"), ("end", "rejected")]


def test_clone(campaign, managers):
    change = campaign_clone(actor=managers[0], campaign=campaign, slug="sonos-winter-2019")
    copy = Campaign.objects.get(slug="sonos-winter-2019")
    assert (change.campaign, change.kind) == (copy, "clone")
    assert copy.products.count() == campaign.products.count()
    assert copy.caps.count() == campaign.caps.count()
    with pytest.raises(Conflict):
        campaign_clone(actor=managers[0], campaign=campaign, slug="sonos-winter-2019")


def test_managers_of_one_brand_cannot_touch_another_brands_campaign(campaign):
    from rabatt.accounts.services import staff_create
    from rabatt.campaigns.services import brand_create
    from rabatt.campaigns.tests.factories import campaign_factory
    from rabatt.core.errors import NotFound

    brand_create(slug="alpha", name="Alpha")
    brand_create(slug="beta", name="Beta")
    beta = campaign_factory(slug="beta-summer", brand="beta")
    alpha_manager = staff_create(email="a@rabatt.test", role="campaign_manager",
                                 password="x" * 20, brands=["alpha"])
    text = edited(beta, lambda d: d["benefit"].update(rate=20))
    for call in (
        lambda: campaign_change_preview(actor=alpha_manager, campaign=beta, text=text),
        lambda: campaign_change_propose(actor=alpha_manager, campaign=beta, text=text),
        lambda: campaign_clone(actor=alpha_manager, campaign=beta, slug="mine-now"),
    ):
        with pytest.raises(NotFound):
            call()
    with time_machine.travel(LIVE):
        waiting = campaign_change_propose(
            actor=staff_user("campaign_manager", "op@rabatt.test"), campaign=beta, text=text)
    with pytest.raises(NotFound):
        campaign_change_approve(actor=alpha_manager, change_id=waiting.pk)
    assert Campaign.objects.get(pk=beta.pk).benefit_rate == Decimal("15")
