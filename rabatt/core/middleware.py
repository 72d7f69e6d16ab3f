"""Request middleware of the whole site."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from rabatt.core.i18n import (
    SESSION_COUNTRY,
    SESSION_LINK,
    country_languages,
    language_pick,
    supported_language,
)

STAFF_PATHS = ("/staff/", "/admin/", "/accounts/")


class LanguageMiddleware(LocaleMiddleware):
    """Activate the visitor's language: menu, claim link, purchase country, then browser.

    ``?lang=`` (on every link in a claim's e-mails) and ``?country=`` (the campaign page's
    country picker) are remembered in the session, so every later page keeps the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        link = supported_language(request.GET.get("lang"))
        country = request.GET.get("country", "").strip().upper()
        # On staff pages and in the admin, ?country= is a filter, not the visitor's country.
        if request.path.startswith(STAFF_PATHS) or not (
                len(country) == 2 and country.isalpha() and country_languages(country)):
            country = ""
        if session is not None:
            if link and session.get(SESSION_LINK) != link:
                session[SESSION_LINK] = link
            if country and session.get(SESSION_COUNTRY) != country:
                session[SESSION_COUNTRY] = country
            link = link or session.get(SESSION_LINK)
            country = country or session.get(SESSION_COUNTRY, "")
        pick = language_pick(
            choice=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME), link=link,
            country=country, accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        translation.activate(pick.language)
        request.LANGUAGE_CODE = translation.get_language()
        request.language_pick = pick  # type: ignore[attr-defined]
