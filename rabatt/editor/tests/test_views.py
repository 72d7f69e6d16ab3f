"""The campaign editor's pages: preview, save, four eyes, roles and brands."""

from __future__ import annotations

import pytest
import time_machine

from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.campaigns.campaign_file import dump_yaml, parse_yaml
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
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


# -- The part forms: each goes the text editor's way -------------------------------------------

URL = "/staff/campaigns/sonos-summer-2019/"


@pytest.fixture
def manager(campaign):
    return verified_client(staff_user("campaign_manager", "m1@rabatt.test"))


def _file(campaign) -> dict:
    return parse_yaml(campaign_file_text(campaign=Campaign.objects.get(pk=campaign.pk)))


def test_product_form_previews_then_applies_a_new_product(campaign, manager):
    post = {"part": "product", "product-id": "era-100", "product-language": "en",
            "product-name": "Era 100", "product-aliases": "ERA 100, ERA100",
            "product-retailer_channel": "on"}
    page = manager.post(URL, {**post, "preview": "1"}).content.decode()
    assert "+    - era-100\n" in page
    assert "+- id: era-100\n+  name:\n+    en: Era 100" in page
    assert "era-100" not in [p["id"] for p in _file(campaign)["products"]]  # preview only
    with time_machine.travel("2019-08-01T10:00:00Z"):
        # While claims are open every language needs the name (the loader's language check).
        page = manager.post(URL, {**post, "save": "1"}).content.decode()
    assert 'role="alert"' in page
    assert "era-100" in page
    assert not CampaignChange.objects.exists()
    with time_machine.travel("2019-08-01T10:00:00Z"):
        saved = manager.post(URL, {**post, "product-every_language": "on", "save": "1"})
    assert saved.status_code == 302
    data = _file(campaign)
    assert {"id": "era-100", "name": dict.fromkeys(
        ["en", "nb", "sv", "da", "fi", "de", "fr", "it", "es", "nl", "pl"], "Era 100"),
            "aliases": ["ERA 100", "ERA100"]} in data["products"]
    assert "era-100" in data["channels"]["retailer"]["products"]
    assert CampaignChange.objects.get().status == "applied"  # not money: no second manager


def test_product_form_loads_an_existing_product_and_refuses_a_bad_id(campaign, manager):
    page = manager.get(URL, {"product": "beam"}).content.decode()
    assert 'value="SONOS BEAM, BEAM BLACK, BEAM WHITE"' in page
    before = campaign_file_text(campaign=campaign)
    page = manager.post(URL, {"part": "product", "product-id": "Not a slug!",
                              "product-language": "en", "save": "1"}).content.decode()
    assert "Enter a valid “slug”" in page
    assert campaign_file_text(campaign=campaign) == before
    assert not CampaignChange.objects.exists()


def test_retailer_form_applies_and_the_loader_refuses_an_unknown_country(campaign, manager):
    post = {"part": "retailer", "retailer-id": "power-no-2", "retailer-country": "no",
            "retailer-name": "POWER Oslo", "save": "1"}
    assert manager.post(URL, post).status_code == 302
    assert {"id": "power-no-2", "country": "NO", "name": "POWER Oslo"} in _file(
        campaign)["retailers"]
    before = campaign_file_text(campaign=campaign)
    response = manager.post(URL, {**post, "retailer-id": "x-jp", "retailer-country": "JP"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert campaign_file_text(campaign=campaign) == before
    assert CampaignChange.objects.count() == 1


def test_cap_form_waits_for_a_second_manager_while_live(campaign, manager):
    post = {"part": "cap", "cap-channel": "retailer", "cap-currency": "nok",
            "cap-amount": "1500", "save": "1"}
    with time_machine.travel("2019-08-01T10:00:00Z"):
        assert manager.post(URL, post).status_code == 302
    change = CampaignChange.objects.get()
    assert (change.status, change.money) == ("pending", ["channels.retailer.caps"])
    assert Campaign.objects.get(pk=campaign.pk).caps.get(
        channel="retailer", currency="NOK").amount == 1455  # not yet


def test_cap_form_refuses_an_outlier_and_bad_numbers(campaign, manager):
    before = campaign_file_text(campaign=campaign)
    post = {"part": "cap", "cap-channel": "retailer", "cap-currency": "DKK", "save": "1"}
    page = manager.post(URL, {**post, "cap-amount": "11251"}).content.decode()
    assert 'role="alert"' in page
    assert "DKK" in page
    for amount in ("-1", "lots", "1e999"):
        response = manager.post(URL, {**post, "cap-amount": amount})
        assert response.status_code == 200
    assert campaign_file_text(campaign=campaign) == before
    assert not CampaignChange.objects.exists()


def test_window_form_applies_before_the_start_and_refuses_an_end_before_the_start(campaign,
                                                                                   manager):
    post = {"part": "window", "window-purchase_starts_at": "2019-07-15T00:00",
            "window-purchase_ends_before": "2019-08-20T00:00",
            "window-claims_end_before": "2019-09-30T00:00", "save": "1"}
    with time_machine.travel("2019-06-01T10:00:00Z"):
        assert manager.post(URL, post).status_code == 302
    stored = Campaign.objects.get(pk=campaign.pk)
    assert (stored.purchase_starts_at.isoformat(), stored.claims_end_before.isoformat()) == (
        "2019-07-15T00:00:00+00:00", "2019-09-30T00:00:00+00:00")
    before = campaign_file_text(campaign=campaign)
    with time_machine.travel("2019-06-01T10:00:00Z"):
        page = manager.post(URL, {**post, "window-purchase_ends_before": "2019-07-01T00:00"})
        bad = manager.post(URL, {**post, "window-claims_end_before": "someday"})
    assert 'role="alert"' in page.content.decode()
    assert bad.status_code == 200
    assert campaign_file_text(campaign=campaign) == before
    assert CampaignChange.objects.count() == 1


def test_text_form_changes_one_language_of_the_intro(campaign, manager):
    post = {"part": "text", "text-which": "content.intro", "text-language": "nb",
            "text-text": "Få 15 % tilbake.", "save": "1"}
    assert manager.post(URL, post).status_code == 302
    intro = _file(campaign)["content"]["intro"]
    assert intro["nb"] == "Få 15 % tilbake."
    assert intro["en"].startswith("Get 15 % of the price back")
    before = campaign_file_text(campaign=campaign)
    response = manager.post(URL, {**post, "text-which": "content.nope"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert campaign_file_text(campaign=campaign) == before
    assert CampaignChange.objects.count() == 1


def test_a_manager_of_another_brand_cannot_pause(db):
    brand_create(slug="brand-a", name="A")
    brand_create(slug="brand-b", name="B")
    campaign = campaign_factory(brand="brand-b")
    other = staff_create(email="m@brand-a.test", role="campaign_manager",
                         password="a-long-password-1", brands=["brand-a"])
    StaffTotpDevice.objects.create(user=other, name="app", confirmed=True)
    client = verified_client(other)
    assert client.post(f"/staff/campaigns/{campaign.slug}/pause/").status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).state == "running"
    assert not Campaign.objects.get(pk=campaign.pk).events.exists()
