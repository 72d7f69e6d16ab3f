"""Helpers for the review-desk browser tests: staff login with TOTP, accessibility checks."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from rabatt.accounts.models import StaffTotpDevice
from rabatt.review.tests.factories import PASSWORD

_axe = Axe()  # axe-core bundled in the package: nothing is downloaded


def code_for(user: User) -> str:
    """The code the user's authenticator app shows now, from the device's key."""
    device = StaffTotpDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
    assert device is not None
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(page: Page, base: str, user: User, *, enrol: bool = False, shot=None) -> None:
    """Password, then the second factor (enrolling an authenticator on the first login)."""
    page.goto(f"{base}/staff/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=%2Fstaff%2F")
    dismiss_cookie_banner(page)
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    if enrol:
        expect(page.locator("svg.qr")).to_be_visible()
        secret = page.locator("code.secret").get_attribute("data-secret")
        assert secret == StaffTotpDevice.objects.get(user=user, confirmed=False).secret_b32
        assert_accessible(page)
        if shot:
            shot(page, "desk-01-enrol")
    page.get_by_label("Six-digit code from your authenticator app").fill(code_for(user))
    page.get_by_role("button", name="Confirm and log in" if enrol else "Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims queue")


def sign_in_at(page: Page, url: str, user: User) -> None:
    """Open ``url`` signed out, sign in with password and code (an enrolled authenticator)."""
    page.goto(url)
    dismiss_cookie_banner(page)
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(code_for(user))
    page.get_by_role("button", name="Log in").click()


def dismiss_cookie_banner(page: Page) -> None:
    """Answer the site's cookie banner (strictly necessary only) if it is shown."""
    button = page.get_by_role("button", name="Only strictly necessary")
    if button.count():
        button.first.click()
        expect(button).to_have_count(0)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious",
                                                                            "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        f"{[n['target'] for n in v['nodes']][:3]}" for v in bad)


def tab_to(page: Page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text is ``text`` (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") \
                == text:
            return
    raise AssertionError(f"could not reach {text!r} with Tab")
