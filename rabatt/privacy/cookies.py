"""Cookie consent: the choice lives in one strictly necessary cookie, nothing on the server."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

COOKIE = "rabatt_cookies"
VERSION = "1"
MAX_AGE = 180 * 24 * 3600  # ask again after six months
OPTIONAL = ("performance", "functionality", "third_party", "analytics")
LABELS = {
    "necessary": (_("Strictly necessary"),
                  # The wizard's device cookie (a random id) is here: it guards against one
                  # browser claiming for many people (docs/privacy.md, "Cookies").
                  _("Keep you signed in, protect forms, guard claims against fraud and "
                    "remember this choice. Always on.")),
    "performance": (_("Performance"), _("Measure how fast pages load so we can fix slow ones.")),
    "functionality": (_("Functionality"), _("Remember choices such as your language.")),
    "third_party": (_("Third-party"), _("Content and scripts from other companies.")),
    "analytics": (_("Analytics"), _("Count visits and see how the site is used.")),
}


@dataclass(frozen=True)
class CookieChoice:
    decided: bool
    performance: bool = False
    functionality: bool = False
    third_party: bool = False
    analytics: bool = False

    def allows(self, category: str) -> bool:
        return category == "necessary" or bool(getattr(self, category, False))

    def encode(self) -> str:
        return VERSION + "." + "".join("1" if getattr(self, c) else "0" for c in OPTIONAL)


def cookie_choice(request: HttpRequest) -> CookieChoice:
    raw = request.COOKIES.get(COOKIE, "")
    version, _sep, bits = raw.partition(".")
    if version != VERSION or len(bits) != len(OPTIONAL) or set(bits) - {"0", "1"}:
        return CookieChoice(decided=False)
    return CookieChoice(decided=True, **{c: b == "1" for c, b in zip(OPTIONAL, bits,
                                                                       strict=True)})


def cookie_choice_store(response: HttpResponse, choice: CookieChoice) -> None:
    response.set_cookie(COOKIE, choice.encode(), max_age=MAX_AGE, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
