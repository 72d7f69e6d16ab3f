"""Staff roles and what each may do: one table, checked by every service that acts."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import PermissionDenied


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    FINANCE = "finance", _("Finance")
    CAMPAIGN_MANAGER = "campaign_manager", _("Campaign manager")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


A, S, F, C, P, X = (Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.CAMPAIGN_MANAGER,
                    Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)

# permission: roles that hold it. Administrators manage people, not money or personal data
# beyond what reviewing needs; full bank details are for finance alone.
PERMISSIONS: dict[str, frozenset[str]] = {
    "claims.view": frozenset({A, S, F, P, X}),
    "claims.review": frozenset({A, S, X}),        # open (assign), notes, start review
    "claims.approve": frozenset({A, S, X}),       # first and second approval
    "claims.reject": frozenset({A, S, X}),
    "claims.request_info": frozenset({A, S, X}),
    "claims.void": frozenset({S, F, X}),
    "claims.reopen": frozenset({S, X}),
    "claims.check_sample": frozenset({S, X}),   # approve a sampled straight-through claim
    "claims.bulk": frozenset({S, X}),
    "bank.view_full": frozenset({F}),
    "payouts.manage": frozenset({F}),
    "campaigns.manage": frozenset({C, X}),
    "campaigns.dashboard": frozenset({C, S, F, X}),
    "privacy.manage": frozenset({P}),
    "audit.view": frozenset({P, X}),
    "staff.manage": frozenset({X}),
}


def role_of(user: Any) -> str | None:
    """The user's role, or None for anyone who is not active staff."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.role if profile is not None and profile.active else None


def has_perm(user: Any, permission: str) -> bool:
    role = role_of(user)
    return role is not None and role in PERMISSIONS[permission]


def require(user: Any, permission: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission`` by their role."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)
    if not has_perm(user, permission):
        raise PermissionDenied(_("Your role does not allow this."), code="permission_denied")


def permissions_of(user: Any) -> frozenset[str]:
    role = role_of(user)
    return frozenset(p for p, roles in PERMISSIONS.items() if role in roles)
