"""System checks of the deployment (``rabatt check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register("rabatt", deploy=True)
def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Require SITE_URL in production: every e-mailed link starts with it."""
    url = settings.SITE_URL
    problems = []
    if not getattr(settings, "SITE_URL_CONFIGURED", False):
        problems.append(Error(
            "SITE_URL is not set: e-mailed links (tracker, answer, privacy, unsubscribe, staff "
            "passwords) would point at the server's own address.",
            hint="Set SITE_URL to the public address, e.g. https://cashback.example.com",
            id="rabatt.E001"))
    elif not url.startswith("https://"):
        problems.append(Error(
            f"SITE_URL is {url!r}: links in e-mails must use https in production.",
            hint="Set SITE_URL to the public https address.", id="rabatt.E002"))
    return problems
