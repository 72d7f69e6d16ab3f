"""Browser tests: Debian's Chromium through Playwright, against pytest-django's live server."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.tests.factories import campaign_factory

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
# The example campaign's purchase window opened on 20 July 2019; shifting it so that "today"
# is 1 August keeps every date in the tests inside the window without freezing the clock
# (Chromium's date picker and the server then agree on what today is).
EXAMPLE_TODAY = datetime(2019, 8, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture
def live_campaign(transactional_db: None) -> Campaign:
    """The example campaign, moved so that today is inside its purchase window."""
    shift = (datetime.now(UTC).date() - EXAMPLE_TODAY.date()).days
    return campaign_factory(shift_days=shift)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context for a viewport ("phone"/"desktop") and a language."""
    contexts = []
    # Chromium reports every resource or inline code the Content-Security-Policy blocked on
    # the console: a page that needs something the policy forbids fails its test.
    blocked: list[str] = []

    def make(viewport: str, language: str, *, javascript: bool = True) -> Page:
        context = browser.new_context(
            **VIEWPORTS[viewport], locale=language, device_scale_factor=1,
            extra_http_headers={"Accept-Language": language}, java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert blocked == []


@pytest.fixture
def shot() -> Callable[..., None]:
    """Save a screenshot into docs/screens when RABATT_SCREENSHOTS=1 (normal runs skip it)."""
    enabled = os.environ.get("RABATT_SCREENSHOTS") == "1"

    def take(page: Page, name: str, *, full_page: bool = False) -> None:
        if enabled:
            SCREENS.mkdir(parents=True, exist_ok=True)
            png = page.screenshot(full_page=full_page, animations="disabled", caret="hide")
            # A 256-colour palette keeps UI screenshots legible at a third of the size.
            image = Image.open(io.BytesIO(png)).convert("RGB")
            image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                SCREENS / f"{name}.png", optimize=True)

    return take


def receipt_pdf() -> bytes:
    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((40, 40), "FAKTURA\nBEAM 4990,00", fill="black")
    out = io.BytesIO()
    image.save(out, "PDF")
    return out.getvalue()
