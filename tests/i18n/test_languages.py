"""Every language end to end: campaign pages, the menu, claim links, API errors and e-mails."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from rabatt.campaigns.models import Campaign
from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import code_new, payload, post_claim
from tests.i18n.tools import load

build = load("build")
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def in_language(language: str, english: str) -> str:
    """Return the translation the TSV files give for ``english``."""
    if language == "en":
        return english
    return build.read_tsv(build.tsv_path(language))[english]


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, response.content[:200]
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_campaign_page_answers_in_the_browsers_language(client, campaign: Campaign,
                                                        language: str) -> None:
    response = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert html_lang(response) == language
    assert response["Content-Language"] == language
    page = response.content.decode()
    assert in_language(language, "Skip to content") in page
    assert in_language(language, "Qualifying products") in page


@pytest.mark.django_db
def test_menu_lists_every_language_in_its_own_name(client, campaign: Campaign) -> None:
    page = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    buttons = re.findall(r'name="language" value="(\w+)"\s+(?:aria-current="true"\s+)?'
                         r'lang="(\w+)">([^<]+)<', page)
    assert [(value, name) for value, _lang, name in buttons] == list(settings.LANGUAGES)
    assert all(value == lang for value, lang, _name in buttons)


@pytest.mark.django_db
def test_menu_choice_beats_browser_country_and_link(client, campaign: Campaign) -> None:
    response = client.post("/i18n/setlang/", {"language": "pl", "next": f"/c/{campaign.slug}/"})
    assert response.status_code == 302

    page = client.get(f"/c/{campaign.slug}/?country=SE&lang=fi", HTTP_ACCEPT_LANGUAGE="de")

    assert html_lang(page) == "pl"


@pytest.mark.django_db
def test_claim_link_language_stays_for_the_visit(client, campaign: Campaign) -> None:
    first = client.get("/track/?reference=X&lang=fi", HTTP_ACCEPT_LANGUAGE="de")
    later = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="de")

    assert (html_lang(first), html_lang(later)) == ("fi", "fi")


@pytest.mark.django_db
def test_country_of_purchase_sets_the_language_and_belgium_offers_its_languages(
        client, campaign: Campaign) -> None:
    page = client.get(f"/c/{campaign.slug}/?country=BE", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "nl"
    text = page.content.decode()
    bar = text[text.index('class="lang country-languages"'):text.index('<main')]
    assert re.findall(r'lang="(\w+)"', bar) == ["nl", "fr", "de"]  # most spoken first
    assert in_language("nl", "Choose your language:") in bar

    again = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(again) == "fr"  # Belgium remembered; the browser picks among its languages


@pytest.mark.django_db
def test_single_language_country_shows_no_choice(client, campaign: Campaign) -> None:
    page = client.get(f"/c/{campaign.slug}/?country=NO", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "nb"
    assert "country-languages" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("during_campaign")
@pytest.mark.parametrize("language", LANGUAGES)
def test_claim_by_api_is_confirmed_in_its_locale(client, campaign: Campaign, smtp,
                                                language: str) -> None:
    response = post_claim(client, payload(code_new(campaign), locale=language),
                          HTTP_ACCEPT_LANGUAGE="en" if language != "en" else "nb")

    assert response.status_code == 201, response.content
    claim = Claim.objects.get(reference=response.json()["reference"])
    assert claim.locale == language
    subject = in_language(language, "We have received your claim %(reference)s")
    assert smtp.subjects()[0] == subject % {"reference": claim.reference}
    text = smtp.text(0)
    assert f"lang={language}" in text
    assert in_language(language, "Check the status of your claim at any time:") in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("during_campaign")
def test_claim_by_api_without_locale_takes_the_accept_language(client, campaign: Campaign,
                                                               smtp) -> None:
    body = payload(code_new(campaign))
    del body["locale"]
    response = post_claim(client, body, HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9")

    assert response.status_code == 201, response.content
    assert Claim.objects.get(reference=response.json()["reference"]).locale == "pl"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_api_errors_speak_the_accept_language(client, campaign: Campaign, language: str) -> None:
    body = payload(code_new(campaign))
    del body["person"]["first_name"]
    body["locale"] = "pt"

    response = post_claim(client, body, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 422
    answer = response.json()
    assert answer["message"] == in_language(language, "The claim has invalid fields.")
    detail = {d["field"]: d for d in answer["detail"]}
    assert detail["person.first_name"]["message"] == in_language(language,
                                                                 "This field is required.")
    assert detail["person.first_name"]["type"] == "missing"
    assert detail["locale"]["message"].startswith(
        in_language(language, "Choose one of: %(choices)s.").split("%")[0])
