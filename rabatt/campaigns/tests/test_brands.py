import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rabatt.campaigns.campaign_file import CampaignFileError, dump_yaml, load_text
from rabatt.campaigns.models import Brand, Campaign
from rabatt.campaigns.services import brand_create, campaign_export, campaign_load
from rabatt.campaigns.tests.factories import EXAMPLE, campaign_factory, example_data
from rabatt.core.errors import Conflict, DomainError

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_brand_create_command_and_list():
    assert run("brand", "create", "sonos", "Sonos Europe") == "created brand sonos (Sonos Europe)\n"
    campaign_factory(brand="sonos")
    assert run("brand", "list") == "sonos\tSonos Europe\t1 campaign(s)\n"


def test_brand_create_refuses_a_second_brand_with_the_slug_and_a_bad_slug():
    brand_create(slug="sonos", name="Sonos")
    with pytest.raises(Conflict):
        brand_create(slug="sonos", name="Other")
    with pytest.raises(DomainError):
        brand_create(slug="Not a slug", name="X")
    with pytest.raises(CommandError, match="exists already"):
        run("brand", "create", "sonos", "Again")
    assert Brand.objects.count() == 1


def test_campaign_load_with_brand_option_overrides_the_file(tmp_path):
    brand_create(slug="sonos", name="Sonos")
    brand_create(slug="bose", name="Bose")
    data = example_data()
    data["brand"] = "bose"
    path = tmp_path / "c.yaml"
    path.write_text(dump_yaml(data))
    run("campaign", "load", str(path), "--brand", "sonos")
    campaign = Campaign.objects.get(slug=data["slug"])
    assert campaign.brand is not None
    assert campaign.brand.slug == "sonos"
    # Loading the file again (brand: bose) moves it; a file without the key leaves it alone.
    run("campaign", "load", str(path))
    campaign.refresh_from_db()
    assert campaign.brand.slug == "bose"
    del data["brand"]
    path.write_text(dump_yaml(data))
    run("campaign", "load", str(path))
    campaign.refresh_from_db()
    assert campaign.brand.slug == "bose"


def test_brand_key_of_an_unknown_brand_is_refused_and_changes_nothing():
    data = example_data()
    data["brand"] = "nobody"
    with pytest.raises(CampaignFileError) as exc:
        campaign_load(data=load_text(dump_yaml(data)))
    assert exc.value.problems == [
        "brand: no brand 'nobody'; create it first with `rabatt brand create nobody NAME`"]
    assert not Campaign.objects.exists()


def test_export_names_the_brand_and_loads_back():
    brand_create(slug="sonos", name="Sonos")
    campaign = campaign_factory(brand="sonos")
    exported = campaign_export(campaign=campaign)
    assert exported["brand"] == "sonos"
    assert list(exported)[:3] == ["format", "slug", "brand"]
    assert "brand" not in campaign_export(campaign=campaign_factory(slug="other"))


def test_example_file_has_no_brand_and_loads_as_the_operators():
    assert "brand:" not in EXAMPLE.read_text()
    assert campaign_factory().brand is None
