"""The cookie banner on a phone: small, out of the way of the page's main button, in every
language (issue 15: it covered 40 % of the screen and hid the main button).

With RABATT_SCREENSHOTS=1 each page, in English and Bokmål, is saved whole to
docs/screens/cookie-banner-phone-<lang>-<page>.png.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_HEIGHT = VIEWPORTS["phone"]["viewport"]["height"]
SCREENSHOT_LANGUAGES = ("en", "nb")

# Each page with the button a visitor came for.
PAGES = {
    "site": ("/c/{slug}/", "main a[href$='/claim/']"),
    "wizard": ("/c/{slug}/claim/code/", "main button[type=submit]"),
}


def _uncovered(page: Page, selector: str) -> bool:
    """Tell whether the middle of the first element matching ``selector`` is that element."""
    return bool(page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector);
            const box = el.getBoundingClientRect();
            const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return hit !== null && (hit === el || el.contains(hit));
        }""", selector))


@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES])
def test_on_a_phone_the_banner_is_small_and_hides_no_main_button(live_server, live_campaign,
                                                                  open_page, shot, lang):
    page = open_page("phone", lang)
    for name, (path, button) in PAGES.items():
        page.goto(live_server.url + path.format(slug=live_campaign.slug))
        banner = page.locator("[data-cookie-banner]")
        expect(banner).to_be_visible()
        box = banner.bounding_box()
        assert box is not None
        assert box["height"] < 0.25 * PHONE_HEIGHT, (name, box["height"])
        if lang in SCREENSHOT_LANGUAGES:
            shot(page, f"cookie-banner-phone-{lang}-{name}", full_page=True)
        main = page.locator(button).first
        main.scroll_into_view_if_needed()
        expect(main).to_be_visible()
        expect(main).to_be_in_viewport()
        assert _uncovered(page, button), name
