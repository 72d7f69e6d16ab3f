import pytest
import time_machine

from rabatt.campaigns.tests.factories import campaign_factory

pytestmark = pytest.mark.django_db


def test_home_names_the_live_campaign_and_links_the_api_docs(client):
    campaign_factory()
    campaign_factory(slug="live-copy", name={"en": "Live copy", "nb": "Levende kopi"})
    with time_machine.travel("2019-08-01T12:00:00Z"):
        page = client.get("/").content.decode()
    assert "Sonos summer cashback 2019" in page
    assert "Live copy" in page
    assert 'href="/api/v1/docs"' in page
    with time_machine.travel("2019-09-10T00:00:00Z"):
        page = client.get("/").content.decode()
    assert "Sonos summer cashback 2019" not in page
    assert "There is no live campaign right now." in page


def test_home_in_norwegian(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'lang="nb"' in page
    assert "Det er ingen aktiv kampanje akkurat nå." in page
