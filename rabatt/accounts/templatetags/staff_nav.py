"""``{% staff_nav %}``: the navigation of the signed-in staff member's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from rabatt.accounts.navigation import pages_for

register = template.Library()


@register.inclusion_tag("accounts/_staff_nav.html", takes_context=True)
def staff_nav(context: Any) -> dict[str, Any]:
    """Render the links to the pages the user's role may open, marking the current one."""
    request = context["request"]
    path = request.path
    links = []
    for page in pages_for(request.user):
        url = reverse(page.url_name)
        current = path == url or (url != "/staff/" and path.startswith(url))
        links.append({"url": url, "label": page.label, "current": current})
    return {"links": links, "user": request.user, "csrf_token": context.get("csrf_token"),
            "home": reverse("staff_home")}
