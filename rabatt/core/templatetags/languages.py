"""The language menu's data (``{% load languages %}``)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def own_language_names() -> list[tuple[str, str]]:
    """Return (code, name in that language) of every language, untranslated on purpose.

    Django's ``get_available_languages`` translates the names ("Englisch" on a German page);
    a reader looks for their own language's name, e.g. "English".
    """
    return list(settings.LANGUAGES)


@register.filter
def own_language_name(code: str) -> str:
    """``{{ "fr"|own_language_name }}`` → ``Français``."""
    return dict(settings.LANGUAGES).get(code, code)
