"""Put the Django admin behind the staff login with its second factor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from rabatt.accounts.guards import staff_verified


def protect_admin(site: AdminSite) -> None:
    """Let only active ``is_staff`` users who passed the 2FA staff login into ``site``."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and staff_verified(request))

    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponseRedirect:
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
