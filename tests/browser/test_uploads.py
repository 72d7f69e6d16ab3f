"""Staged uploads on the missing-information answer page in a real browser, with and without
JavaScript (the wizard's proof step, the same component, is driven by test_journey.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.models import ClaimStatus
from rabatt.claims.services import claim_request_info
from rabatt.claims.tests.factories import claim_factory, receipt_jpeg
from rabatt.receipts.models import ReceiptFile
from tests.browser.conftest import receipt_pdf
from tests.browser.desk_helpers import dismiss_cookie_banner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answer_url(live_server, transactional_db):
    # The answer page speaks the claim's language: an English claim, an English page.
    claim = claim_factory(campaign_factory(), locale="en")
    agent = get_user_model().objects.create_user(username="agent")
    _claim, token = claim_request_info(claim_id=claim.pk, actor=agent,
                                       reasons=["receipt_unreadable"])
    return claim, f"{live_server.url}/claims/answer/{token}/"


def test_the_answer_page_stages_files_with_javascript(answer_url, open_page):
    claim, url = answer_url
    page = open_page("phone", "en")
    page.goto(url)
    dismiss_cookie_banner(page)
    expect(page.locator("[data-upload-button]")).to_be_hidden()
    upload = page.locator("#id_file")
    upload.set_input_files({"name": "ny.jpg", "mimeType": "image/jpeg",
                            "buffer": receipt_jpeg()})
    expect(page.locator("li.file")).to_have_count(1)
    upload.set_input_files({"name": "faktura.pdf", "mimeType": "application/pdf",
                            "buffer": receipt_pdf()})
    expect(page.locator("li.file")).to_have_count(2)
    expect(page.locator("[data-upload-live]")).to_have_text("faktura.pdf was added.")
    upload.set_input_files({"name": "x.pdf", "mimeType": "application/pdf",
                            "buffer": b"<html><body>not a receipt</body></html>"})
    expect(page.locator("[data-upload-error]")).to_have_attribute("data-code", "not_a_pdf")
    page.get_by_role("button", name="Remove ny.jpg").focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.file")).to_have_count(1)
    expect(page.locator("[data-upload-live]")).to_have_text("ny.jpg was removed.")
    expect(page.locator("#id_file")).to_be_focused()
    expect(page.locator("[data-upload-error]")).to_have_text("")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".confirmation")).to_contain_text("We have received your answer")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert "faktura.pdf" in [f.display_name for f in claim.files.all()]
    assert not ReceiptFile.objects.filter(claim__isnull=True).exists()


def test_the_answer_page_stages_files_without_javascript(answer_url, open_page):
    _claim, url = answer_url
    page = open_page("desktop", "en", javascript=False)
    page.goto(url)
    dismiss_cookie_banner(page)
    for name in ("first.jpg", "second.jpg"):
        page.set_input_files("#id_file", {"name": name, "mimeType": "image/jpeg",
                                          "buffer": receipt_jpeg()})
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".flash")).to_contain_text(f"{name} was added.")
    expect(page.locator("li.file")).to_have_count(2)
    page.get_by_role("button", name="Remove first.jpg").click()
    expect(page.locator(".flash")).to_contain_text("first.jpg was removed.")
    expect(page.locator("li.file")).to_have_count(1)
    expect(page.locator("li.file")).to_contain_text("second.jpg")
