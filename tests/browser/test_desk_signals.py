"""The receipt checks on the desk's claim page in Chromium: evidence boxes drawn over the receipt
(and kept there through zoom and rotation), a field row highlighting its box, the page refreshing
itself while the receipts are read, and axe-core on the result."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.presenters import claim_signals
from rabatt.review.tests.factories import staff_user, with_checks
from tests.browser.desk_helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The factory's receipt is a 600 × 800 JPEG; the boxes are given in its pixels.
TOTAL_BOX = [0, 30, 80, 330, 130]      # 5 % from the left, 10 % from the top, 50 % × 6.25 %
RETAILER_BOX = [0, 30, 20, 210, 60]


def checked(file_id: str) -> dict[str, Any]:
    def evidence(box: list[int], text: str) -> dict[str, Any]:
        return {"page": 0, "box": box, "text": text, "page_width": 600.0, "page_height": 800.0}

    return {
        "receipts": {"status": "done", "files": 1, "read": 1,
                     "checked_at": "2019-08-01T10:05:00+00:00"},
        "fields": {
            "total": {"entered": "4990.00", "read": "4990.00", "status": "verified",
                      "confidence": 0.95, "file": file_id,
                      "evidence": evidence(TOTAL_BOX, "TOTALT 4990,00")},
            "retailer": {"entered": "Elkjøp", "read": "Power", "status": "mismatch",
                         "confidence": 0.7, "file": file_id,
                         "evidence": evidence(RETAILER_BOX, "POWER")},
            "date": {"entered": "2019-07-25", "read": None, "status": "unreadable",
                     "confidence": 0.0, "file": None, "evidence": None},
        },
        "risk_flags": ["near_duplicate_receipt"],
        "duplicates": [{"kind": "near", "claim": "RB-AAAA-BBBB", "file": file_id, "distance": 2,
                        "status": "approved"}],
        "automatic": {"outcome": "not_eligible", "reasons": ["field_not_verified", "risk_flags"]},
    }


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.5) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def open_claim(page: Page, base: str, claim: Claim) -> None:
    page.goto(f"{base}/staff/claims/{claim.reference}/")
    image = page.locator("figure.page img").first
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("i => i.naturalWidth") == 600


def test_evidence_is_drawn_over_the_receipt_and_follows_zoom_and_rotation(live_server,
                                                                          open_page):
    base = live_server.url
    campaign = campaign_factory()
    agent = staff_user("agent")
    claim = claim_factory(campaign)
    with_checks(claim, checked(str(claim.files.get().pk)))

    page = open_page("desktop", "en")
    log_in(page, base, agent)
    open_claim(page, base, claim)

    total = '.evidence-box[data-field="total"] rect'
    expect(page.locator(total)).to_be_visible()
    expect(page.locator('.evidence-box[data-field="retailer"] text')).to_have_text("Retailer ✗")
    image = box(page, "figure.page img")
    drawn = box(page, total)
    assert inside(drawn, image)
    assert drawn["x"] - image["x"] == pytest.approx(image["width"] * 0.05, abs=1.5)
    assert drawn["y"] - image["y"] == pytest.approx(image["height"] * 0.10, abs=1.5)
    assert drawn["width"] == pytest.approx(image["width"] * 0.50, abs=2.5)
    expect(page.locator("figure.page figcaption")).to_have_text(
        "Marked on this page: Retailer (Differs), Total (Matches)")
    expect(page.locator("#signals .automatic")).to_contain_text(
        "Not eligible for automatic approval.")
    duplicates = page.get_by_role("list", name="Possible duplicates")
    expect(duplicates.get_by_role("link", name="RB-AAAA-BBBB")).to_have_attribute(
        "href", "/staff/claims/RB-AAAA-BBBB/")
    assert_accessible(page)

    # Pointing at a row, or tabbing to its button, highlights that field's box only.
    page.locator('tr[data-field-row="total"]').hover()
    expect(page.locator('.evidence-box[data-field="total"]')).to_have_class(
        "evidence-box box-verified is-active")
    expect(page.locator('.evidence-box[data-field="retailer"]')).not_to_have_class(
        "evidence-box box-mismatch is-active")
    page.mouse.move(0, 0)
    expect(page.locator('.evidence-box[data-field="total"]')).to_have_class(
        "evidence-box box-verified")
    page.locator('tr[data-field-row="retailer"]').get_by_role(
        "button", name="Show on the receipt").focus()
    expect(page.locator('.evidence-box[data-field="retailer"]')).to_have_class(
        "evidence-box box-mismatch is-active")
    page.evaluate("document.activeElement.blur()")
    expect(page.locator('.evidence-box[data-field="retailer"]')).to_have_class(
        "evidence-box box-mismatch")

    # Zoom and rotation move the boxes with the picture.
    page.keyboard.press("+")
    page.keyboard.press("t")
    assert page.locator("#pages").evaluate("p => p.style.getPropertyValue('--rotate')") == "90deg"
    rotated = box(page, "figure.page img")
    assert rotated["height"] == pytest.approx(image["width"] * 1.25, abs=2)  # on its side
    assert inside(box(page, total), rotated)
    assert inside(box(page, '.evidence-box[data-field="retailer"] rect'), rotated)
    assert_accessible(page)


def test_the_checks_refresh_themselves_while_the_receipts_are_read(live_server, open_page):
    base = live_server.url
    campaign = campaign_factory()
    agent = staff_user("agent")
    claim = claim_factory(campaign)
    file_id = str(claim.files.get().pk)
    with_checks(claim, {
        "receipts": {"status": "reading", "files": 1, "read": 0, "checked_at": None}})

    page = open_page("desktop", "en")
    log_in(page, base, agent)
    open_claim(page, base, claim)
    expect(page.locator("#signals")).to_contain_text("Reading receipts… 0 of 1 read")
    expect(page.locator(".evidence-box")).to_have_count(0)
    assert_accessible(page)

    # The background reading finishes: the page picks it up on its next poll.
    with_checks(claim, checked(file_id))
    expect(page.locator("#signals")).to_contain_text("Receipts read: 1 of 1.", timeout=15_000)
    expect(page.locator("#signals-live")).to_have_text(
        "Receipts read: 1 of 1. Checked 2019-08-01 10:05")
    expect(page.locator('.evidence-box[data-field="total"] rect')).to_be_visible()
    expect(page.locator("figure.page figcaption")).to_be_visible()
    assert page.locator("#signals").get_attribute("data-state") == "done"
    # Done: the page stops asking.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/signals/" in r.url else None)
    page.wait_for_timeout(5_000)
    assert requests == []
    # Hovering works on the refreshed rows too.
    page.locator('tr[data-field-row="total"]').hover()
    expect(page.locator('.evidence-box[data-field="total"]')).to_have_class(
        "evidence-box box-verified is-active")
    assert_accessible(page)


def test_a_real_receipt_read_in_the_background_is_marked_where_it_was_read(
        live_server: Any, open_page: Any, shot: Any) -> None:
    from datetime import UTC, datetime

    from rabatt.demo.claims import CLAIMS, receipt_photo
    from rabatt.receipts.tasks import read_receipt_file

    base = live_server.url
    campaign = campaign_factory()
    agent = staff_user("agent")
    photo = receipt_photo(CLAIMS[0], "25.07.2019")
    claim = claim_factory(campaign, files=[photo],
                       submitted_at=datetime(2019, 7, 26, 9, 0, tzinfo=UTC))
    read_receipt_file.call(str(claim.files.get().pk))
    claim.refresh_from_db()
    assert {n: f["status"] for n, f in claim_signals(claim=claim)["fields"].items()} == {
        "retailer": "verified", "date": "verified", "total": "verified", "currency": "verified"}

    page = open_page("desktop", "en")
    log_in(page, base, agent)
    page.goto(f"{base}/staff/claims/{claim.reference}/")
    expect(page.locator("#signals")).to_contain_text("Receipts read: 1 of 1")
    for field in ("retailer", "date", "total"):
        expect(page.locator(f'.evidence-box[data-field="{field}"] rect')).to_be_visible()
    image = box(page, "figure.page img")
    assert inside(box(page, '.evidence-box[data-field="total"] rect'), image)
    assert_accessible(page)
    shot(page, "desk-receipt-checks", full_page=True)
