"""A failed payment to paid, in a real browser: the bank rejects the payment in a pain.002,
the consumer opens the e-mailed link and gives new bank details, the next batch pays them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import translation
from playwright.sync_api import expect

from rabatt.claims.emails import PAYMENT_FAILURES
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.tests.factories import claim_factory
from rabatt.payouts import services as payouts
from rabatt.payouts.models import Payment, PaymentStatus
from rabatt.payouts.tests.factories import pain002, payer
from rabatt.review.tests.factories import staff_user
from tests.browser.desk_helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nb(text: object) -> str:
    with translation.override("nb"):
        return str(text)


def pay_run(finance: object, finance2: object, outcome: tuple[str, str | None]) -> None:
    """Finance builds, approves (a second person) and sends a batch; the bank answers."""
    batch = payouts.payout_batch_build(actor=finance, currency="NOK")
    payouts.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    batch = payouts.payout_batch_export(batch_id=batch.pk, actor=finance)
    e2e = list(batch.payments.values_list("end_to_end_id", flat=True))
    payouts.bank_file_import(source=pain002(f"BANK-{batch.pk}", str(batch.message_id),
                                            {e2e[0]: outcome}, amount="748.50"))


def test_failed_payment_to_paid(live_server, live_campaign, open_page, shot, smtp):
    now = datetime.now(UTC)
    claim = claim_factory(live_campaign, status="approved", locale="nb",
                          purchased_at=(now - timedelta(days=5)).isoformat(),
                          submitted_at=(now - timedelta(days=4)).isoformat())
    finance, finance2 = staff_user("finance"), staff_user("finance", "finance2@rabatt.test")
    payer()

    # The bank rejects the payment: the account is closed.
    with override_settings(SITE_URL=live_server.url):
        pay_run(finance, finance2, ("RJCT", "AC04"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYMENT_FAILED

    # The Norwegian e-mail gives the reason in Norwegian and links to the bank page.
    failed_mail = next(i for i, m in enumerate(smtp.messages)
                       if m["Subject"] and claim.reference in str(m["Subject"])
                       and "/claims/bank/" in smtp.text(i))
    text = smtp.text(failed_mail)
    assert nb(PAYMENT_FAILURES["AC04"]) in text
    assert "Closed account number" not in text
    link = re.search(r"https?://\S+/claims/bank/\S+/", text)
    assert link is not None
    assert link.group(0).startswith(live_server.url)

    page = open_page("phone", "nb")
    html_part = next(p for p in smtp.messages[failed_mail].walk()
                     if p.get_content_type() == "text/html")
    page.set_content(html_part.get_content())
    shot(page, "failed-payment-01-email-phone-nb", full_page=True)

    # The consumer opens the link: a page made for new bank details, in Norwegian.
    page.goto(link.group(0))
    # On a phone the cookie banner does not cover the page's main button.
    send = page.locator("main button[data-submit-once]")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box is not None
    assert page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-submit-once]') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    page.locator("button[name=choice][value=necessary]").click()  # the cookie banner
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.locator("[data-payment-failure='AC04']")).to_contain_text(
        nb(PAYMENT_FAILURES["AC04"]))
    expect(page.locator("#id_account_holder")).to_have_value("Kari Nordmann")
    assert_accessible(page)
    shot(page, "failed-payment-02-page-phone-nb", full_page=True)

    # A mistyped account number is refused on its field, as in the wizard.
    page.locator("#id_iban").fill("NO38 1503 0123 458")
    page.locator("main button[data-submit-once]").click()
    expect(page.locator("#id_iban_error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_visible()
    shot(page, "failed-payment-03-refused-phone-nb", full_page=True)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYMENT_FAILED

    page.locator("#id_iban").fill("NO38 1503 0123 457")
    page.locator("main button[data-submit-once]").click()
    expect(page.locator(".confirmation")).to_contain_text(claim.reference)
    shot(page, "failed-payment-04-done-phone-nb")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.bank.masked.startswith("NO38")

    # The tracker: approved, the payment step open again, the history says what happened.
    page.locator(".confirmation ~ p a.button").click()
    page.locator("#id_email").fill(claim.email)
    page.locator("main form.stack button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator(".tracker-progress li span[aria-hidden]")).to_have_text(
        ["✓", "✓", "✓", "○"])
    shot(page, "failed-payment-05-tracker-phone-nb", full_page=True)

    # Finance's next batch pays it to the new account.
    pay_run(finance, finance2, ("ACSC", None))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert list(Payment.objects.filter(claim=claim).order_by("pk").values_list(
        "status", flat=True)) == [PaymentStatus.FAILED, PaymentStatus.PAID]
    page.reload()
    page.locator("#id_reference").fill(claim.reference)
    page.locator("#id_email").fill(claim.email)
    page.locator("main form.stack button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "paid")
    expect(page.locator(".tracker-progress li span[aria-hidden]")).to_have_text(
        ["✓", "✓", "✓", "✓"])
    shot(page, "failed-payment-06-paid-phone-nb", full_page=True)

    # Staff see the whole story in the claim's history.
    agent = staff_user("agent")
    desk = open_page("desktop", "en")
    log_in(desk, live_server.url, agent)
    desk.goto(f"{live_server.url}/staff/claims/{claim.reference}/")
    history = desk.locator("ol.history")
    expect(history).to_contain_text("Payment failed")
    expect(history).to_contain_text("AC04")
    expect(history).to_contain_text(f"New account: {claim.bank.masked}")
    expect(history).to_contain_text("Back in the payment queue")
    history.scroll_into_view_if_needed()
    shot(desk, "failed-payment-07-desk-history-desktop-en")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
