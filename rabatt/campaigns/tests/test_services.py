from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rabatt.campaigns.campaign_file import dump_yaml, load_text, parse_yaml
from rabatt.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignState,
    Cap,
    Product,
    Retailer,
)
from rabatt.campaigns.selectors import campaign_events, campaign_rules
from rabatt.campaigns.services import (
    campaign_export,
    campaign_load,
    campaign_pause,
    campaign_resume,
)
from rabatt.campaigns.tests.factories import EXAMPLE, campaign_factory, example_data
from rabatt.core.errors import Conflict
from rabatt.review.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_load_creates_every_row():
    campaign = campaign_factory()
    assert campaign.countries.count() == 18
    assert Cap.objects.filter(campaign=campaign).count() == 20
    assert Product.objects.filter(campaign=campaign).count() == 24
    assert Retailer.objects.filter(campaign=campaign, country="NO").count() == 3
    assert campaign.benefit_rate == Decimal(15)


def test_export_round_trips():
    campaign = campaign_factory()
    first = dump_yaml(campaign_export(campaign=campaign))
    campaign_load(data=load_text(first))
    second = dump_yaml(campaign_export(campaign=Campaign.objects.get(slug=campaign.slug)))
    assert first == second
    # The export means the same as the source file.
    assert parse_yaml(first)["channels"] == example_data()["channels"]
    assert parse_yaml(first)["products"] == example_data()["products"]


def test_reload_updates_in_place_and_invalidates_cached_rules():
    campaign = campaign_factory()
    before = campaign_rules(campaign=campaign)
    data = example_data()
    data["channels"]["retailer"]["caps"]["NOK"] = 1500
    data["products"] = [p for p in data["products"] if p["id"] != "gift-card"]
    updated = campaign_factory(data)
    assert updated.pk == campaign.pk
    assert updated.revision > campaign.revision
    after = campaign_rules(campaign=updated)
    assert before.channels["retailer"].caps["NOK"] == Decimal(1455)
    assert after.channels["retailer"].caps["NOK"] == Decimal(1500)
    assert "gift-card" not in after.products


def test_a_failed_load_changes_nothing():
    campaign = campaign_factory()
    data = example_data()
    data["channels"]["retailer"]["caps"]["DKK"] = 11251
    with pytest.raises(Exception):  # noqa: B017, PT011 - the command test checks the message
        campaign_factory(data)
    assert Cap.objects.get(campaign=campaign, channel="retailer", currency="DKK").amount == 1125


def test_command_load_and_export(tmp_path, capsys):
    call_command("campaign", "load", str(EXAMPLE), "--slug", "copy", "--shift-days", "3")
    campaign = Campaign.objects.get(slug="copy")
    assert campaign.purchase_starts_at.isoformat() == "2019-07-23T00:01:00+00:00"
    capsys.readouterr()
    call_command("campaign", "export", "copy")
    out = capsys.readouterr().out
    assert parse_yaml(out)["slug"] == "copy"
    assert "starts_at: '2019-07-23T00:01:00Z'" in out


def test_command_refuses_an_invalid_file_with_a_clear_message(tmp_path, capsys):
    data = example_data()
    data["channels"]["retailer"]["caps"]["DKK"] = 11251
    path = tmp_path / "typo.yaml"
    path.write_text(dump_yaml(data))
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("campaign", "load", str(path))
    assert "channels/retailer/caps/DKK" in capsys.readouterr().err
    assert not Campaign.objects.exists()


def test_command_missing_file_and_unknown_slug(tmp_path):
    with pytest.raises(CommandError):
        call_command("campaign", "load", str(tmp_path / "missing.yaml"))
    with pytest.raises(CommandError, match="No campaign"):
        call_command("campaign", "export", "missing")


def test_a_campaign_reusing_an_old_id_does_not_get_its_cached_rules():
    campaign = campaign_factory()
    before = campaign_rules(campaign=campaign)
    # A different row with the same id and revision (SQLite reuses the id of a deleted row and
    # a new campaign starts at revision 1): only its updated_at tells it apart.
    moved = before.purchase_starts_at.replace(year=2020)
    Campaign.objects.filter(pk=campaign.pk).update(
        purchase_starts_at=moved, updated_at=campaign.updated_at + timedelta(seconds=1))
    same_id = Campaign.objects.get(pk=campaign.pk)
    assert same_id.revision == campaign.revision
    assert campaign_rules(campaign=same_id).purchase_starts_at == moved


def test_pause_and_resume_follow_the_table_and_record_who_acted(campaign):
    manager = staff_user("campaign_manager", "m1@rabatt.test")
    revision = campaign.revision
    campaign_pause(campaign=campaign, actor=manager)
    stored = Campaign.objects.get(pk=campaign.pk)
    assert (stored.state, stored.revision) == (CampaignState.PAUSED, revision + 1)
    with pytest.raises(Conflict) as refused:
        campaign_pause(campaign=campaign, actor=manager)
    assert refused.value.code == "invalid_transition"
    assert CampaignEvent.objects.count() == 1  # the refused pause wrote nothing
    campaign_resume(campaign=campaign, actor=manager)
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.RUNNING
    assert [(e.action, e.state_from, e.state_to, e.actor.email)
            for e in campaign_events(campaign=campaign)] == [
        ("resume", "paused", "running", "m1@rabatt.test"),
        ("pause", "running", "paused", "m1@rabatt.test")]
    with pytest.raises(Conflict):
        campaign_resume(campaign=campaign, actor=manager)
    assert CampaignEvent.objects.count() == 2
