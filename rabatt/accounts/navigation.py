"""The staff pages in one table: which role may open which, and where each role starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rabatt.accounts.roles import PERMISSIONS, Role, has_perm, role_of


@dataclass(frozen=True)
class StaffPage:
    url_name: str
    label: str | Promise
    permission: str  # the permission the page's view requires


# In navigation order. A page appears in someone's navigation exactly when their role holds
# the permission its view checks, so no link leads to "Your role does not allow this".
STAFF_PAGES: tuple[StaffPage, ...] = (
    StaffPage("review:queue", _("Queue"), "claims.view"),
    StaffPage("payouts:index", _("Payouts"), "payouts.manage"),
    StaffPage("reports:dashboard", _("Dashboard"), "campaigns.dashboard"),
    StaffPage("editor:campaigns", _("Campaigns"), "campaigns.manage"),
    StaffPage("referrals:staff", _("Codes and referrals"), "campaigns.dashboard"),
    StaffPage("privacy:staff_queue", _("Privacy requests"), "privacy.manage"),
    StaffPage("staff_people", _("People and settings"), "staff.manage"),
)

# Each role's start page, by URL name (it must be one of the role's STAFF_PAGES).
START_PAGES: dict[str, str] = {
    Role.AGENT: "review:queue",
    Role.SUPERVISOR: "review:queue",
    Role.FINANCE: "payouts:index",
    Role.CAMPAIGN_MANAGER: "reports:dashboard",
    Role.PRIVACY_OFFICER: "privacy:staff_queue",
    Role.ADMINISTRATOR: "staff_people",
}


def pages_for(user: Any) -> list[StaffPage]:
    """The staff pages ``user`` may open, in navigation order."""
    return [page for page in STAFF_PAGES if has_perm(user, page.permission)]


def start_page_for(user: Any) -> str | None:
    """The URL name of the page ``user`` starts on; None for anyone who is not active staff."""
    role = role_of(user)
    return START_PAGES.get(role) if role is not None else None


def check_table() -> list[str]:
    """Problems in the tables above (each role starts on a page it may open)."""
    problems = []
    by_name = {page.url_name: page for page in STAFF_PAGES}
    for role in Role.values:
        start = START_PAGES.get(role)
        page = by_name.get(start or "")
        if page is None:
            problems.append(f"{role}: no start page")
        elif role not in PERMISSIONS[page.permission]:
            problems.append(f"{role}: may not open its start page {start}")
    return problems
