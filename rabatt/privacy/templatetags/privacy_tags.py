"""{% cookie_banner %} (once per page) and {% if "analytics"|cookie_allowed:request %}."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from rabatt.privacy.cookies import LABELS, OPTIONAL, cookie_choice

register = template.Library()


@register.filter
def cookie_allowed(category: str, request: HttpRequest) -> bool:
    """True when the visitor allowed this cookie category (strictly necessary: always)."""
    return cookie_choice(request).allows(category)


@register.simple_tag(takes_context=True)
def cookie_banner(context: template.Context) -> SafeString:
    """The banner (until the visitor chooses) and the scripts their choice allows.

    Renders once per request, so a page can include it and the base layout too.
    """
    request = context.get("request")
    if request is None or getattr(request, "_rabatt_cookie_banner", False):
        return mark_safe("")
    request._rabatt_cookie_banner = True
    choice = cookie_choice(request)
    scripts = [src for category, src in getattr(settings, "PRIVACY_SCRIPTS", [])
               if choice.allows(category)]
    html = render_to_string("privacy/_cookie_banner_body.html", {
        "choice": choice, "scripts": scripts, "request": request,
        "categories": [(c, *LABELS[c]) for c in OPTIONAL],
        "next": request.get_full_path(),
    }, request=request)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag
def cookie_labels() -> list[Any]:
    return [(c, *LABELS[c]) for c in ("necessary", *OPTIONAL)]
