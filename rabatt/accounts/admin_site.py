"""Put the Django admin behind the staff login with its second factor, for the operator only.

The admin edits rows directly, past the services (no transition table, no history, no
outbox) and past brand scoping, so only the operator's administrators (role administrator,
granted no brand: they see every brand) may open it. Everyone else, staff of some brands
included, works through the staff pages, which scope every row by brand.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from rabatt.accounts.guards import staff_verified
from rabatt.accounts.roles import Role, role_of
from rabatt.accounts.selectors import sees_all_brands


def admin_allowed(user: Any) -> bool:
    """True for an active administrator of the operator (one who serves every brand).

    Django's own flags (``is_staff``, ``is_superuser``, model permissions) still decide what
    such a person may do inside; they never let anyone else in.
    """
    return role_of(user) == Role.ADMINISTRATOR and sees_all_brands(user)


def protect_admin(site: AdminSite) -> None:
    """Let only the operator's administrators, after the 2FA staff login, into ``site``."""

    def has_permission(request: HttpRequest) -> bool:
        return admin_allowed(request.user) and staff_verified(request)

    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponseRedirect:
        if staff_verified(request):
            # Signed in, but not the operator's administrator: the login cannot help.
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
