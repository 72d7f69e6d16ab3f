"""The review desk in Debian's Chromium: 2FA login, queue filters, keyboard-only review, a
request for information the consumer answers, four-eyes approval, bulk, a refused finance
action; axe-core checks on every screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.models import Claim, ClaimEvent, ClaimStatus
from rabatt.claims.tests.factories import claim_factory
from rabatt.notifications.models import OutboundEmail
from rabatt.review.models import AccessLog, ApprovalRequest
from rabatt.review.tests.factories import receipt_pdf, staff_user
from tests.browser.desk_helpers import assert_accessible, dismiss_cookie_banner, log_in, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_campaign(transactional_db):
    return campaign_factory()


def test_agent_reviews_by_keyboard_and_the_consumer_answers(live_server, desk_campaign,
                                                             open_page, shot):
    base = live_server.url
    agent = staff_user("agent", device=False)
    claim = claim_factory(desk_campaign, files=[receipt_pdf(pages=2)])
    # Each person their own account: one account shared by two people is a risk flag too.
    risky = claim_factory(desk_campaign, holder="Per Hansen", email="ola@example.no",
                          bank={"iban": "NO38 1503 0123 457"})
    swedish = claim_factory(desk_campaign, email="sven@example.se",
                            bank={"iban": "NO86 1500 0000 019"})
    Claim.objects.filter(pk=swedish.pk).update(purchase_country="SE")

    page = open_page("desktop", "en")
    log_in(page, base, agent, enrol=True, shot=shot)
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(page)
    shot(page, "desk-02-queue")

    # Filters: country, then risk.
    page.get_by_label("Country of purchase").select_option("NO")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Risk flags only").check()
    page.get_by_role("button", name="Filter").click()
    # The holder who differs is among the risky rows (the PDF claim may carry its own flag:
    # its receipt text says something else than the claim).
    expect(rows.filter(has_text=swedish.reference)).to_have_count(0)
    risky_row = rows.filter(has_text=risky.reference)
    expect(risky_row).to_have_count(1)
    expect(risky_row.locator('[data-flag="bank_holder_mismatch"]')).to_have_text(
        "Account holder differs from the applicant")
    page.goto(f"{base}/staff/")

    # Keyboard only from here: Tab to the claim, Enter, "i" for a request for information.
    tab_to(page, claim.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(claim.reference)
    expect(page.locator("figure.page img")).to_have_count(2)  # two PDF pages, rendered
    expect(page.locator("figure.page img").first).to_have_js_property("complete", True)
    assert page.locator("figure.page img").first.evaluate("i => i.naturalWidth") > 100
    assert_accessible(page)
    shot(page, "desk-03-claim")
    page.keyboard.press("+")
    page.keyboard.press("t")
    assert page.locator("#pages").evaluate("p => p.style.getPropertyValue('--rotate')") == "90deg"
    page.keyboard.press("-")
    page.keyboard.press("t")
    page.keyboard.press("t")
    page.keyboard.press("t")
    page.keyboard.press("i")
    expect(page.locator("#panel-request_info")).to_have_attribute("open", "")
    page.keyboard.press("Space")  # the first reason: receipt unreadable
    message = page.locator("#info-message")
    expect(message).to_have_value(re.compile(r"^Hei Kari.*\n\n- ", re.S))  # the claim is in nb
    tab_to(page, "Send request")
    assert_accessible(page)
    shot(page, "desk-04-request-info")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text(claim.reference)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    event = claim.events.get(kind="request_info")
    assert (event.actor, event.reasons) == (agent, ["receipt_unreadable"])
    assert event.message.startswith("Hei Kari")

    # The consumer answers on the claim journey's page.
    consumer = open_page("desktop", "nb")
    # The link's secret travels only in the e-mail (the outbox row), never in the history.
    assert "token" not in event.data
    email = OutboundEmail.objects.get(dedup_key=f"claim-event:{event.pk}")
    consumer.goto(f"{base}/claims/answer/{email.context['answer_token']}/")
    dismiss_cookie_banner(consumer)
    consumer.fill("#id_message", "Her er et skarpere bilde.")
    consumer.get_by_role("button", name="Send svar").click()
    expect(consumer.locator(".confirmation")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW

    # Back in the queue; approve with "a" and Enter. The invoice read from the PDF says
    # something else than the claim (a risk flag), so this approval is the first of two.
    page.goto(f"{base}/staff/")
    tab_to(page, claim.reference)
    page.keyboard.press("Enter")
    expect(page.locator("ol.history")).to_contain_text("Consumer answered")
    page.keyboard.press("a")
    tab_to(page, "Approve (first of two)")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    assert ApprovalRequest.objects.get(claim=claim).requested_by == agent

    # A finance action is refused to an agent, and nothing is revealed or logged.
    page.goto(f"{base}/staff/claims/{claim.reference}/bank/")
    expect(page.get_by_role("alert")).to_contain_text("Your role does not allow this.")
    assert_accessible(page)
    shot(page, "desk-07-refused")
    assert not AccessLog.objects.filter(what="bank_full").exists()


def test_four_eyes_and_bulk(live_server, desk_campaign, open_page, shot):
    base = live_server.url
    agent = staff_user("agent")
    supervisor = staff_user("supervisor")
    big = claim_factory(desk_campaign, price="9990.00")  # 1455 NOK > the 1200 four-eyes limit
    small = [claim_factory(desk_campaign, email=f"p{i}@example.no") for i in range(2)]

    first = open_page("desktop", "en")
    log_in(first, base, agent)
    first.goto(f"{base}/staff/claims/{big.reference}/")
    expect(first.locator(".decisions")).to_contain_text("Approval needs a second approver")
    first.keyboard.press("a")
    first.get_by_role("button", name="Approve (first of two)").click()
    expect(first.locator(".flash")).to_contain_text("a second approver must now approve")
    first.goto(f"{base}/staff/claims/{big.reference}/")
    expect(first.locator("#pending-approval")).to_contain_text(
        "You cannot give the second approval yourself.")
    expect(first.locator("#panel-approve")).to_have_count(0)
    big.refresh_from_db()
    assert big.status == ClaimStatus.IN_REVIEW

    second = open_page("desktop", "en")
    log_in(second, base, supervisor)
    second.get_by_label("Waiting for a second approval").check()
    second.get_by_role("button", name="Filter").click()
    second.get_by_role("link", name=big.reference).click()
    expect(second.locator("#pending-approval")).to_contain_text("agent@rabatt.test")
    assert_accessible(second)
    shot(second, "desk-05-four-eyes")
    second.keyboard.press("a")
    second.get_by_role("button", name="Confirm second approval").click()
    expect(second.locator(".flash")).to_contain_text("Approved")
    big.refresh_from_db()
    assert big.status == ClaimStatus.APPROVED
    assert ApprovalRequest.objects.get(claim=big).decided_by == supervisor
    assert list(ClaimEvent.objects.filter(claim=big, actor__isnull=False)
                .values_list("kind", "actor")) == [
        ("start_review", agent.pk), ("approval_requested", agent.pk),
        ("approve", supervisor.pk)]

    # Bulk: the agent still holds nothing; one claim is decided already, so it fails.
    second.goto(f"{base}/staff/?status=all")
    for c in (*small, big):
        second.get_by_label(f"Select {c.reference}").check()
    second.get_by_label("Decision", exact=True).select_option("reject")
    second.get_by_label("Reason (for a rejection)").fill("Duplicate claim")
    second.get_by_role("button", name="Apply to selected claims").click()
    expect(second.locator("#bulk-text")).to_contain_text("3 of 3 done, 1 failed")
    expect(second.locator("table.queue")).to_contain_text(big.reference)
    expect(second.locator("table.queue")).to_contain_text("invalid_transition")
    expect(second.locator("progress")).to_have_attribute("value", "3")
    assert_accessible(second)
    shot(second, "desk-06-bulk")
    assert sorted(Claim.objects.values_list("status", flat=True)) == [
        "approved", "rejected", "rejected"]
