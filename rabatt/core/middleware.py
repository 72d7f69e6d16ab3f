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

# The pages whose ?country= is the visitor's own country (the campaign site).
COUNTRY_PICKER_PATHS = ("/c/",)


class LanguageMiddleware(LocaleMiddleware):
    """Activate the visitor's language: menu, claim link, purchase country, then browser.

    ``?lang=`` (on every link in a claim's e-mails) and ``?country=`` (the campaign page's
    country picker) are remembered in the session, so every later page keeps the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        link = supported_language(request.GET.get("lang"))
        # Only the campaign site's country picker speaks for the visitor: elsewhere ?country=
        # is a filter (the review queue, the dashboards, a rules preview) and says nothing
        # about the language of the person looking.
        country = (request.GET.get("country", "").strip().upper()
                   if request.path.startswith(COUNTRY_PICKER_PATHS) else "")
        if not (len(country) == 2 and country.isalpha() and country_languages(country)):
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
