"""The claim wizard in every language on a phone: right lang attribute, no axe-core violations.

With RABATT_SCREENSHOTS=1 each step is saved to docs/screens/wizard-<lang>-<step>.png.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.tests.factories import code_new, receipt_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_axe = Axe()  # axe-core ships inside axe-playwright-python: nothing is fetched from a CDN

# A shopper of each language buying in a country of that language, with its bank details.
SHOPPERS: dict[str, dict[str, Any]] = {
    "en": {"country": "GB", "retailer": "john-lewis-gb", "price": "499", "postcode": "SW1A 1AA",
           "city": "London", "iban": "GB33 BUKB 2020 1555 5555 55"},
    "nb": {"country": "NO", "retailer": "elkjop-no", "price": "4990", "postcode": "0155",
           "city": "Oslo", "iban": "NO93 8601 1117 947"},
    "sv": {"country": "SE", "retailer": "elgiganten-se", "price": "4990", "postcode": "111 22",
           "city": "Stockholm", "iban": "SE45 5000 0000 0583 9825 7466"},
    "da": {"country": "DK", "retailer": "elgiganten-dk", "price": "3299", "postcode": "1050",
           "city": "København", "iban": "DK50 0040 0440 1162 43"},
    "fi": {"country": "FI", "retailer": "verkkokauppa-fi", "price": "449", "postcode": "00100",
           "city": "Helsinki", "iban": "FI21 1234 5600 0007 85"},
    "de": {"country": "DE", "retailer": "mediamarkt-de", "price": "449", "postcode": "10115",
           "city": "Berlin", "iban": "DE89 3704 0044 0532 0130 00"},
    "fr": {"country": "FR", "retailer": "fnac-fr", "price": "449", "postcode": "75001",
           "city": "Paris", "iban": "FR14 2004 1010 0505 0001 3M02 606"},
    "it": {"country": "IT", "retailer": "mediaworld-it", "price": "449", "postcode": "00184",
           "city": "Roma", "iban": "IT60 X054 2811 1010 0000 0123 456"},
    "es": {"country": "ES", "retailer": "elcorteingles-es", "price": "449", "postcode": "28013",
           "city": "Madrid", "iban": "ES91 2100 0418 4502 0005 1332"},
    "nl": {"country": "NL", "retailer": "coolblue-nl", "price": "449", "postcode": "1012 AB",
           "city": "Amsterdam", "iban": "NL91 ABNA 0417 1643 00"},
    "pl": {"country": "PL", "retailer": "mediaexpert-pl", "price": "2199", "postcode": "00-001",
           "city": "Warszawa", "iban": "PL61 1090 1014 0000 0712 1981 2874"},
}


def check(page: Page, shot: Any, lang: str, step: str) -> None:
    """The page is in ``lang``, axe-core finds nothing, and the screenshot is taken."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    results = _axe.run(page)
    violations = results.response["violations"]
    assert not violations, "\n".join(
        f"{lang} {step}: {v['id']} ({v['impact']}): {v['help']} — "
        f"{[n['target'] for n in v['nodes']][:3]}" for v in violations)
    shot(page, f"wizard-{lang}-{step}", full_page=True)


def test_wizard_languages_cover_the_settings() -> None:
    assert set(SHOPPERS) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("lang", list(SHOPPERS))
def test_wizard_in_every_language(live_server, live_campaign, open_page, shot, lang) -> None:
    shopper = SHOPPERS[lang]
    page = open_page("phone", lang)
    page.goto(f"{live_server.url}/c/{live_campaign.slug}/claim/")

    # 1: the personal code.
    expect(page.locator("#id_code")).to_be_visible()
    check(page, shot, lang, "1-code")  # with the cookie banner, translated too
    page.locator("[data-cookie-banner] button[value=necessary]").click()
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    page.fill("#id_code", code_new(live_campaign))
    page.locator("form.stack button[type=submit]").click()

    # 2: the purchase.
    expect(page.locator("#id_purchased_on")).to_be_visible()
    page.select_option("#id_country", shopper["country"])
    page.select_option("#id_retailer", shopper["retailer"])
    page.fill("#id_purchased_on", (datetime.now(UTC) - timedelta(days=5)).date().isoformat())
    page.select_option("#id_product_0", "beam")
    page.fill("#id_price_0", shopper["price"])
    expect(page.locator("#quote")).not_to_be_empty()
    check(page, shot, lang, "2-purchase")
    page.locator("button[name=action][value=next]").click()

    # 3: the proof of purchase.
    page.locator("#id_file").set_input_files({"name": "receipt.jpg", "mimeType": "image/jpeg",
                                              "buffer": receipt_jpeg()})
    expect(page.locator("li.file")).to_have_count(1)
    check(page, shot, lang, "3-proof")
    page.locator("#main form.actions button[type=submit]").click()

    # 4: personal and bank details.
    expect(page.locator("#id_account_holder")).to_be_visible()
    for field, value in {"#id_first_name": "Alex", "#id_last_name": "Muster",
                         "#id_email": f"alex.{lang}@example.com",
                         "#id_address_line1": "Main Street 1",
                         "#id_postcode": shopper["postcode"], "#id_city": shopper["city"],
                         "#id_account_holder": "Alex Muster",
                         "#id_iban": shopper["iban"]}.items():
        page.fill(field, value)
    check(page, shot, lang, "4-details")
    page.locator("form.stack .actions button[type=submit]").click()

    # 5: review and declarations.
    for name in ("adult", "end_user", "own_claim", "terms_accepted"):
        page.check(f"#id_{name}")
    check(page, shot, lang, "5-review")
    # Submitting reads the receipt (OCR), which takes a while on a busy machine.
    page.locator("[data-submit-once]").click(timeout=90_000)

    # 6: done.
    reference = page.locator("[data-reference]").inner_text(timeout=90_000).strip()
    check(page, shot, lang, "6-done")
    claim = Claim.objects.get(reference=reference)
    assert (claim.status, claim.locale, claim.purchase_country) == (
        ClaimStatus.SUBMITTED, lang, shopper["country"])
