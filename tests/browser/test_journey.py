"""The consumer journey in a real browser: campaign site, claim wizard, tracker, answer page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import expect

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.services import claim_request_info
from rabatt.claims.tests.factories import code_new, receipt_jpeg
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.safety import REFUSALS
from tests.browser.conftest import receipt_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"start": "Start your claim", "faq": "Why can't I pick my purchase date?",
           "faq_answer": "The calendar only offers days inside the purchase period",
           "remove": "Remove {name}", "track": "Check status",
           "answer_done": "We have received your answer", "send": "Send answer"},
    "nb": {"start": "Start søknaden", "faq": "Hvorfor kan jeg ikke velge kjøpsdatoen min?",
           "faq_answer": "Kalenderen viser bare dager i kjøpsperioden",
           "remove": "Fjern {name}", "track": "Sjekk status",
           "answer_done": "Vi har mottatt svaret ditt", "send": "Send svar"},
}
BANK: dict[str, dict[str, Any]] = {
    "NO": {"retailer": "elkjop-no", "price": "4990,00", "amount": "748.50", "postcode": "0155",
           "fields": {"#id_iban": "NO93 8601 1117 947"}},
    "GB": {"retailer": "john-lewis-gb", "price": "499.00", "amount": "74.85",
           "postcode": "SW1A 1AA",
           "fields": {"#id_iban": "GB33 BUKB 2020 1555 5555 55"}},
    "US": {"retailer": "best-buy-us", "price": "449.00", "amount": "67.35", "postcode": "20500",
           "fields": {"#id_routing_number": "021000021", "#id_account_number": "123456789"},
           "radio": "#id_account_type_0"},
}
CASES = [("phone", "nb", "NO"), ("desktop", "en", "US"), ("phone", "en", "GB"),
         ("desktop", "nb", "NO")]


@pytest.mark.parametrize(("viewport", "lang", "country"), CASES,
                         ids=[f"{v}-{lang}-{c}" for v, lang, c in CASES])
def test_claim_journey(live_server, live_campaign, open_page, shot, viewport, lang, country):
    text, bank = TEXT[lang], BANK[country]
    # Messages owned by other modules are compared with whatever their catalogue says.
    with translation.override(lang):
        # A file named .pdf that is not one is told so (issue 15), not "only PDF and JPEG".
        refused = str(REFUSALS["not_a_pdf"][1])
        submitted = str(ClaimStatus.SUBMITTED.label)
    suffix = f"{viewport}-{lang}"
    page = open_page(viewport, lang)
    base = live_server.url

    # The campaign site, reached from the home page, with its FAQ and retailers.
    page.goto(base + "/")
    page.get_by_role("link", name=live_campaign.name[lang]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(live_campaign.name[lang])
    shot(page, f"site-01-top-{suffix}")
    page.select_option("#country", country)
    page.get_by_role("button", name="Vis" if lang == "nb" else "Show").click()
    expect(page.locator("#retailers")).to_be_visible()
    page.get_by_text(text["faq"]).click()
    expect(page.locator("#faq-date")).to_contain_text(text["faq_answer"])
    page.locator("#faq-date").scroll_into_view_if_needed()
    shot(page, f"site-02-faq-{suffix}")

    # Step 1: the code (a mistyped one first).
    page.get_by_role("link", name=text["start"]).click()
    code = code_new(live_campaign)
    page.fill("#id_code", code[:-1] + ("A" if code[-1] != "A" else "B"))
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    shot(page, f"claim-01-code-error-{suffix}")
    page.fill("#id_code", code.lower())
    page.locator("form.stack button[type=submit]").click()

    # Step 2: the purchase, with the live quote.
    expect(page.locator("#id_purchased_on")).to_be_visible()
    day = (datetime.now(UTC) - timedelta(days=5)).date()
    page.select_option("#id_country", country)
    page.select_option("#id_retailer", bank["retailer"])
    page.fill("#id_purchased_on", day.isoformat())
    page.select_option("#id_product_0", "beam")
    page.fill("#id_price_0", bank["price"])
    expect(page.locator("#quote")).to_contain_text(
        re.compile(bank["amount"].replace(".", "[.,]")))
    shot(page, f"claim-02-purchase-{suffix}")
    page.locator("button[name=action][value=next]").click()

    # Step 3: two uploads, one removed, and one refused.
    upload = page.locator("#id_file")
    upload.set_input_files({"name": "kvittering.jpg", "mimeType": "image/jpeg",
                            "buffer": receipt_jpeg()})
    expect(page.locator("li.file")).to_have_count(1)
    upload.set_input_files({"name": "faktura.pdf", "mimeType": "application/pdf",
                            "buffer": receipt_pdf()})
    expect(page.locator("li.file")).to_have_count(2)
    expect(page.locator("li.file").nth(1)).to_contain_text("PDF")
    shot(page, f"claim-03-proof-{suffix}")
    upload.set_input_files({"name": "kvittering.pdf", "mimeType": "application/pdf",
                            "buffer": b"<html><body>not a receipt</body></html>"})
    expect(page.locator("[data-upload-error]")).to_contain_text(refused)
    expect(page.locator("[data-upload-error]")).to_have_attribute("data-code", "not_a_pdf")
    shot(page, f"claim-03b-refused-{suffix}")
    # Removing by keyboard: focus lands on the file input, not on a vanished button.
    page.get_by_role("button", name=text["remove"].format(name="kvittering.jpg")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.file")).to_have_count(1)
    expect(page.locator("#id_file")).to_be_focused()
    expect(page.locator("li.file")).to_contain_text("faktura.pdf")
    page.locator("#main form.actions button[type=submit]").click()

    # Step 4: personal and bank details for the country.
    expect(page.locator("#id_account_holder")).to_be_visible()
    page.fill("#id_first_name", "Kari")
    page.fill("#id_last_name", "Nordmann")
    page.fill("#id_email", f"kari.{viewport}.{lang}@example.no")
    page.fill("#id_address_line1", "Storgata 1")
    page.fill("#id_postcode", bank["postcode"])
    page.fill("#id_city", "Oslo")
    page.fill("#id_account_holder", "Kari Nordmann")
    for selector, value in bank["fields"].items():
        page.fill(selector, value)
    if "radio" in bank:
        page.check(bank["radio"])
    shot(page, f"claim-04-details-{suffix}")
    page.locator("form.stack .actions button[type=submit]").click()

    # Step 5: review, declarations, send.
    for name in ("adult", "end_user", "own_claim", "terms_accepted"):
        page.check(f"#id_{name}")
    shot(page, f"claim-05-review-{suffix}")
    page.locator("[data-submit-once]").click()
    reference = page.locator("[data-reference]").inner_text().strip()
    shot(page, f"claim-06-done-{suffix}")

    claim = Claim.objects.get(reference=reference)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.locale == lang
    assert claim.purchase_country == country
    assert claim.purchased_at == datetime.combine(day, time(12), tzinfo=UTC)
    assert [f.display_name for f in ReceiptFile.objects.filter(claim=claim)] == ["faktura.pdf"]
    assert Claim.objects.count() == 1

    # The tracker shows it.
    page.goto(f"{base}/track/?reference={reference}")
    page.fill("#id_email", f"kari.{viewport}.{lang}@example.no")
    page.get_by_role("button", name=text["track"]).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-status]")).to_have_text(submitted)
    shot(page, f"track-01-status-{suffix}")

    # An agent asks for a better receipt; the consumer answers with a document and a message.
    agent = get_user_model().objects.create_user(username=f"agent-{viewport}-{lang}")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"],
                                       message="The photo is blurred.")
    page.goto(f"{base}/claims/answer/{token}/")
    expect(page.locator("blockquote")).to_contain_text("The photo is blurred.")
    shot(page, f"answer-01-request-{suffix}")
    page.locator("#id_file").set_input_files({"name": "ny-kvittering.jpg",
                                              "mimeType": "image/jpeg",
                                              "buffer": receipt_jpeg()})
    expect(page.locator("li.file")).to_have_count(1)
    page.fill("#id_message", "Here is a sharper photo.")
    shot(page, f"answer-02-ready-{suffix}")
    page.get_by_role("button", name=text["send"]).click()
    expect(page.locator(".confirmation")).to_contain_text(text["answer_done"])
    shot(page, f"answer-03-done-{suffix}")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert sorted(f.display_name for f in claim.files.all()) == ["faktura.pdf",
                                                                 "ny-kvittering.jpg"]


def test_the_wizard_works_without_javascript(live_server, live_campaign, open_page, shot):
    page = open_page("desktop", "en", javascript=False)
    # English chosen in the menu: a Norwegian purchase would otherwise switch to Bokmål.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en",
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/c/{live_campaign.slug}/claim/")
    page.fill("#id_code", code_new(live_campaign))
    page.locator("form.stack button[type=submit]").click()
    page.select_option("#id_country", "NO")
    page.select_option("#id_retailer", "elkjop-no")
    page.fill("#id_purchased_on", (datetime.now(UTC) - timedelta(days=3)).date().isoformat())
    page.select_option("#id_product_0", "beam")
    page.fill("#id_price_0", "4990")
    page.get_by_role("button", name="Add another product").click()
    page.select_option("#id_product_1", "sub")
    page.fill("#id_price_1", "7990")
    page.get_by_role("button", name="Update the estimate").click()
    # Babel's English amount: the code, a no-break space, grouped thousands.
    expect(page.locator("#quote")).to_contain_text("NOK\u00a01,455.00")
    page.get_by_role("button", name="Continue").click()

    for name in ("first.jpg", "second.jpg"):
        page.set_input_files("#id_file", {"name": name, "mimeType": "image/jpeg",
                                          "buffer": receipt_jpeg()})
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".flash")).to_contain_text(f"{name} was added.")
    expect(page.locator("li.file")).to_have_count(2)
    shot(page, "claim-nojs-03-proof-desktop-en")
    page.get_by_role("button", name="Remove first.jpg").click()
    expect(page.locator(".flash")).to_contain_text("first.jpg was removed.")
    expect(page.locator("li.file")).to_have_count(1)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_iban")).to_be_visible()
    assert page.title().startswith("Your details")
