"""The campaign editor's pages: preview, save, four eyes, roles and brands."""

from __future__ import annotations

import pytest
import time_machine

from rabatt.campaigns.campaign_file import dump_yaml, parse_yaml
from rabatt.campaigns.models import Campaign
from rabatt.editor.models import CampaignChange
from rabatt.editor.services import campaign_file_text
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db


def test_preview_save_and_a_second_manager_approves(campaign):
    first = verified_client(staff_user("campaign_manager", "m1@rabatt.test"))
    second = verified_client(staff_user("campaign_manager", "m2@rabatt.test"))
    url = f"/staff/campaigns/{campaign.slug}/"
    assert campaign.slug in first.get("/staff/campaigns/").content.decode()
    data = parse_yaml(campaign_file_text(campaign=campaign))
    data["channels"]["retailer"]["caps"]["DKK"] = 11251
    page = first.post(url, {"text": dump_yaml(data), "preview": "1"}).content.decode()
    assert 'role="alert"' in page
    assert "DKK" in page
    data["channels"]["retailer"]["caps"]["DKK"] = 1200
    with time_machine.travel("2019-08-01T10:00:00Z"):
        page = first.post(url, {"text": dump_yaml(data), "preview": "1"}).content.decode()
        assert "-      DKK: 1125\n+      DKK: 1200" in page
        assert "a second campaign manager must approve it" in page
        first.post(url, {"text": dump_yaml(data), "save": "1"})
        change = CampaignChange.objects.get()
        assert change.status == "pending"
        first.post(f"{url}approve/", {"change": change.pk})
        assert CampaignChange.objects.get().status == "pending"  # not by the one who asked
        second.post(f"{url}approve/", {"change": change.pk})
    assert CampaignChange.objects.get().status == "applied"
    assert Campaign.objects.get(pk=campaign.pk).caps.get(channel="retailer",
                                                          currency="DKK").amount == 1200
    assert "m2@rabatt.test" in second.get(url).content.decode()


def test_roles_and_bad_input(campaign):
    agent = verified_client(staff_user("agent", "a@rabatt.test"))
    assert agent.get("/staff/campaigns/").status_code == 403
    assert agent.get(f"/staff/campaigns/{campaign.slug}/").status_code == 403
    manager = verified_client(staff_user("campaign_manager", "m1@rabatt.test"))
    assert manager.get("/staff/campaigns/nope/").status_code == 404
    url = f"/staff/campaigns/{campaign.slug}/"
    assert manager.post(f"{url}approve/", {"change": "x"}).status_code == 302
    assert manager.post(f"{url}approve/", {"change": "999"}).status_code == 404
    assert manager.post(f"{url}fly/").status_code == 404
    assert manager.post(f"{url}extend/", {"purchase_ends_before": "soon"}).status_code == 302
    assert manager.post(url, {"text": ": : :", "save": "1"}).status_code == 200
    assert not CampaignChange.objects.exists()
    manager.post(f"{url}clone/", {"slug": "copy-2019"})
    assert Campaign.objects.filter(slug="copy-2019").exists()


def test_rules_preview_quotes_a_purchase(campaign):
    manager = verified_client(staff_user("campaign_manager", "m1@rabatt.test"))
    url = f"/staff/campaigns/{campaign.slug}/"
    query = {"quote": "1", "country": "NO", "channel": "retailer", "retailer": "elkjop-no",
             "product": "beam", "price": "4990.00", "quantity": "1",
             "purchased_at": "2019-07-25T14:03", "claimed_at": "2019-08-01T10:00"}
    page = manager.get(url, query).content.decode().replace("\u00a0", " ")
    assert "Qualifies: NOK 748.50" in page
    late = manager.get(url, {**query, "purchased_at": "2019-09-25T14:03"}).content.decode()
    assert "Does not qualify:" in late
    assert manager.get(url, {**query, "price": "lots"}).status_code == 200


def test_pause_and_resume_from_the_editor_appear_in_the_history(campaign):
    manager = verified_client(staff_user("campaign_manager", "m1@rabatt.test"))
    url = f"/staff/campaigns/{campaign.slug}/"
    assert "Pause the campaign" in manager.get(url).content.decode()
    with time_machine.travel("2019-08-01T10:00:00Z"):
        assert manager.post(f"{url}pause/").status_code == 302
        page = manager.get(url).content.decode()
    assert Campaign.objects.get(pk=campaign.pk).state == "paused"
    assert "The campaign is paused: new claims are refused." in page
    assert "Resume the campaign" in page
    assert "<td>pause</td><td>m1@rabatt.test</td>\n    <td>Paused" in page
    assert not CampaignChange.objects.exists()  # not a change of the file: nothing to approve
    manager.post(f"{url}pause/")  # twice: refused, nothing written
    assert Campaign.objects.get(pk=campaign.pk).events.count() == 1
    manager.post(f"{url}resume/")
    assert Campaign.objects.get(pk=campaign.pk).state == "running"
    assert "<td>resume</td><td>m1@rabatt.test</td>\n    <td>Running" in manager.get(
        url).content.decode()


def test_only_managers_of_the_brand_pause(campaign):
    agent = verified_client(staff_user("agent", "a@rabatt.test"))
    assert agent.post(f"/staff/campaigns/{campaign.slug}/pause/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).state == "running"
