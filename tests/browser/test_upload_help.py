"""Help while uploading, in a real browser: the proof step tells what the receipt shows and
fills in the purchase from it, in English and Norwegian (screenshots in docs/screens)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from rabatt.claims.tests.factories import code_new
from rabatt.receipts.tests.factories import jpeg_bytes, spec

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = {
    "en": {"found": "On this receipt we found:", "fill": "Use these in my claim",
           "filled": "We filled in the date, the shop and the price from your receipt.",
           "same": "This matches what you entered.", "necessary": "Only strictly necessary"},
    "nb": {"found": "På denne kvitteringen fant vi:", "fill": "Bruk disse i søknaden min",
           "filled": "Vi fylte inn dato, butikk og pris fra kvitteringen din.",
           "same": "Dette stemmer med det du fylte inn.",
           "necessary": "Bare strengt nødvendige"},
}


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_upload_step_tells_what_it_found_and_fills_it_in(
        live_server, live_campaign, open_page, shot, lang):
    text = TEXT[lang]
    today = datetime.now(UTC).date()
    page = open_page("phone", lang)
    # The visitor's language is chosen explicitly: a Norwegian purchase would otherwise make
    # the claim Norwegian whatever the browser says (the order of rules).
    page.goto(f"{live_server.url}/c/{live_campaign.slug}/claim/?lang={lang}")
    page.fill("#id_code", code_new(live_campaign))
    page.locator("form.stack button[type=submit]").click()
    page.select_option("#id_country", "NO")
    page.select_option("#id_retailer", "elkjop-no")
    page.fill("#id_purchased_on", (today - timedelta(days=2)).isoformat())
    page.select_option("#id_product_0", "beam")
    page.fill("#id_price_0", "5490")
    page.locator("button[name=action][value=next]").click()

    receipt = jpeg_bytes(spec(total="4990.00", day=today - timedelta(days=3)))
    page.set_input_files("#id_file", {"name": "kvittering.jpg", "mimeType": "image/jpeg",
                                      "buffer": receipt})
    reading = page.locator("[data-reading]")
    expect(reading).to_contain_text(text["found"], timeout=60_000)
    expect(reading).to_contain_text("Elkjøp")
    expect(reading).to_contain_text("4")  # the total, formatted for the language
    expect(page.locator("[data-missing]")).to_have_count(0)
    expect(page.locator("[data-fill]")).to_be_visible()
    banner = page.get_by_role("button", name=text["necessary"])
    if banner.count():
        banner.first.click()
    page.locator("[data-reading]").scroll_into_view_if_needed()
    shot(page, f"upload-help-{lang}")

    page.locator("[data-fill]").click()
    expect(page.locator(".flash")).to_contain_text(text["filled"])
    expect(page.locator("[data-reading]")).to_contain_text(text["same"])
    page.goto(f"{live_server.url}/c/{live_campaign.slug}/claim/purchase/")
    expect(page.locator("#id_purchased_on")).to_have_value(
        (today - timedelta(days=3)).isoformat())
    expect(page.locator("#id_price_0")).to_have_value("4990.00")
