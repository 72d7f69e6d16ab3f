"""The campaign site: its sections, languages, country selection and safe text rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from rabatt.campaigns.campaign_file import campaign_languages
from rabatt.campaigns.tests.factories import campaign_factory, example_data
from rabatt.campaigns.views import Block, text_blocks
from rabatt.core.formats import UTC_ZONE, local_date

pytestmark = pytest.mark.django_db

URL = "/c/sonos-summer-2019/"


@pytest.fixture(autouse=True)
def in_window() -> Iterator[None]:
    with time_machine.travel("2019-08-01T12:00:00Z", tick=False):
        yield


def test_the_home_page_links_each_live_campaign_to_its_site(client):
    campaign_factory()
    page = client.get("/").content.decode()
    assert f'href="{URL}"' in page
    assert "Current campaigns" in page


def test_the_site_has_every_section_in_english(client):
    campaign_factory()
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("How it works", "Get paid", "Qualifying products", "Authorised retailers",
                 "Terms and conditions", "Version 2019.1", "Questions and answers",
                 "Why can&#x27;t I pick my purchase date?", "Contact us",
                 'href="/track/"', 'href="/c/sonos-summer-2019/claim/"',
                 "Start your claim", "Check the status of your claim"):
        assert text in page, text


def test_the_site_in_norwegian_shows_norway_by_default(client):
    campaign_factory()
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'lang="nb"' in page
    assert "Slik fungerer det" in page
    assert "Hvorfor kan jeg ikke velge kjøpsdatoen min?" in page
    assert "Elkjøp" in page
    assert "John Lewis" not in page
    assert "+47 800 00 000" in page
    assert "Mandag til fredag kl. 09.00–17.00." in page
    assert '<option value="NO" selected>Norge</option>' in page


def test_the_country_comes_from_the_query_then_the_browser_region(client):
    campaign_factory()
    by_query = client.get(URL + "?country=se", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Elgiganten" in by_query
    assert "nordic@rabatt.example" in by_query
    by_region = client.get(URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").content.decode()
    assert "Best Buy" in by_region
    assert "USD 225" in by_region
    assert "support-na@rabatt.example" in by_region


def test_a_country_without_its_own_support_gets_the_fallback(client):
    campaign_factory()
    page = client.get(URL + "?country=DE").content.decode()
    assert "support@rabatt.example" in page
    assert "+47 800 00 000" not in page


def test_the_direct_channel_lists_its_exclusions(client):
    campaign_factory()
    page = client.get(URL).content.decode()
    assert "Every product qualifies, except:" in page
    assert "Gift card" in page


def test_campaign_text_is_escaped_not_rendered_as_html(client):
    data = example_data()
    # A live campaign needs the text in each of its languages (campaign_languages).
    data["content"]["intro"] = {lang: "<script>alert(1)</script>\n\n- <b>one</b>\n- two"
                                for lang in campaign_languages(data)}
    campaign_factory(data)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<li>&lt;b&gt;one&lt;/b&gt;</li>" in page


def test_text_blocks_split_paragraphs_and_lists():
    text = "First line\nwraps here.\n\n- one\n- two\nAfter.\n\n\nLast."
    assert text_blocks(text) == [
        Block("p", ("First line wraps here.",)), Block("ul", ("one", "two")),
        Block("p", ("After.",)), Block("p", ("Last.",))]


def test_an_unknown_campaign_is_not_found(client):
    assert client.get("/c/nope/").status_code == 404


def test_after_the_deadline_the_site_says_claims_are_closed(client):
    campaign_factory()
    with time_machine.travel("2019-09-10T00:00:00Z", tick=False):
        page = client.get(URL).content.decode()
    assert "The deadline for claims in this campaign has passed." in page
    assert 'href="/c/sonos-summer-2019/claim/"' not in page


def test_the_content_schema_refuses_html_like_mistakes():
    from rabatt.campaigns.campaign_file import CampaignFileError, dump_yaml, load_text

    data = example_data()
    data["content"]["faq"][0]["answer"] = "not per language"
    data["content"]["terms"].pop("version")
    with pytest.raises(CampaignFileError) as refused:
        load_text(dump_yaml(data))
    problems = " ".join(refused.value.problems)
    assert "content/faq/0/answer" in problems
    assert "version" in problems


def test_a_shifted_copy_says_its_own_dates(client):
    campaign_factory()
    original = client.get("/c/sonos-summer-2019/", headers={"Accept-Language": "en"})
    page = original.content.decode()
    # Babel's English dates (en is en-US in CLDR).
    assert "between July 20, 2019 and August 10, 2019" in page
    assert "Claims must reach us by September 9, 2019" in page
    assert "{first_day}" not in page
    campaign_factory(shift_days=365 * 5 + 2, slug="sonos-shifted")
    shifted = client.get("/c/sonos-shifted/", headers={"Accept-Language": "nb"}).content.decode()
    assert "mellom 20. juli 2024 og 10. august 2024" in shifted
    assert "innen 9. september 2024" in shifted
    assert "juli 2019" not in shifted


def _page_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_shifted_copy_of_the_example_shows_no_fixed_date_in_any_language(client, language):
    data = example_data()
    shift = 365 * 5 + 2
    campaign = campaign_factory(data, shift_days=shift, slug="sonos-shifted")
    html = client.get("/c/sonos-shifted/", headers={"Accept-Language": language})
    text = _page_text(html.content.decode())
    assert html.headers["Content-Language"] == language
    # The campaign's name and the terms' version carry the year; neither is a date.
    for name in data["name"].values():
        text = text.replace(name, "")
    text = text.replace(str(data["content"]["terms"]["version"]), "")
    assert "2019" not in text
    minute = timedelta(minutes=1)
    for moment in (campaign.purchase_starts_at, campaign.purchase_ends_before - minute,
                   campaign.claims_end_before - minute):
        assert moment.year == 2024
        assert local_date(moment, UTC_ZONE, language) in text
    # The terms' "updated" day moved with the window too, written for the language.
    updated = date.fromisoformat(data["content"]["terms"]["updated"]) + timedelta(days=shift)
    assert local_date(updated, language=language) in text
    assert "{" not in text


def test_a_paused_campaign_says_so_and_offers_no_new_claim(client):
    from rabatt.campaigns.services import campaign_pause, campaign_resume
    from rabatt.review.tests.factories import staff_user

    campaign = campaign_factory()
    manager = staff_user("campaign_manager", "manager@rabatt.test")
    campaign_pause(campaign=campaign, actor=manager)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This campaign does not accept new claims at the moment." in page
    assert "Start your claim" not in page
    assert "Check the status of your claim" in page  # claims already sent can be followed
    notice = "This campaign does not accept new claims at the moment. Please try again later."
    with translation.override("nb"):
        in_norwegian, start = gettext(notice), gettext("Start your claim")
    assert in_norwegian != notice
    norwegian = unescape(client.get(URL, HTTP_ACCEPT_LANGUAGE="nb").content.decode())
    assert in_norwegian in norwegian
    assert start not in norwegian
    campaign_resume(campaign=campaign, actor=manager)
    again = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start your claim" in again
    assert "does not accept new claims" not in again
