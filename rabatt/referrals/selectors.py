"""Reads of the referral programme: options, links, progress, the funnel, agents' list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel
from rabatt.codes.models import CodeStatus
from rabatt.core.errors import NotFound
from rabatt.referrals.models import Friend, Referral, ReferralOptions


@dataclass(frozen=True)
class Options:
    enabled: bool
    friend_channel: str
    notice_version: str
    burst_limit: int


def referral_options(*, campaign: Campaign) -> Options:
    """The campaign's referral options: its row, else ``content.referrals``, else defaults."""
    row = ReferralOptions.objects.filter(campaign=campaign).first()
    if row is not None:
        return Options(row.enabled, row.friend_channel, row.notice_version, row.burst_limit)
    raw: dict[str, Any] = (campaign.content or {}).get("referrals") or {}
    return Options(
        enabled=bool(raw.get("enabled", True)),
        friend_channel=str(raw.get("friend_channel", Channel.DIRECT)),
        notice_version=str(raw.get("notice_version", "1")),
        burst_limit=int(raw.get("burst_limit", 5)),
    )


def referral_by_token(*, token: str) -> Referral:
    referral = (Referral.objects.select_related("campaign").filter(token=token).first()
                if 16 <= len(token) <= 43 else None)
    if referral is None:
        raise NotFound(_("This referral link is not valid."), code="referral_unknown")
    return referral


@dataclass(frozen=True)
class FriendProgress:
    slot: int
    name: str
    completed: bool


def referral_progress(*, referral: Referral) -> list[FriendProgress]:
    """Each friend's first name and whether their code has been used."""
    friends = referral.friends.select_related("code").order_by("slot")
    return [FriendProgress(f.slot, (f.name.split() or ["?"])[0],
                           f.code.status == CodeStatus.USED) for f in friends]


def referral_funnel(*, campaign: Campaign) -> dict[str, int]:
    """Links created, friends signed up, friends' codes e-mailed and used."""
    links = Referral.objects.filter(campaign=campaign).count()
    friends = Friend.objects.filter(campaign=campaign).aggregate(
        friends=Count("pk"),
        emailed=Count("pk", filter=Q(code_emailed_at__isnull=False)),
        used=Count("pk", filter=Q(code__status=CodeStatus.USED)),
        flagged=Count("pk", filter=~Q(signals={})),
    )
    active = Referral.objects.filter(campaign=campaign, friends__isnull=False).distinct().count()
    return {"links": links, "links_with_friends": active, "friends": friends["friends"],
            "codes_emailed": friends["emailed"], "codes_used": friends["used"],
            "flagged": friends["flagged"]}


def friends_flagged(*, campaign: Campaign | None = None) -> QuerySet[Friend]:
    """Friends with at least one abuse signal, newest first (the agents' list)."""
    qs = Friend.objects.exclude(signals={}).select_related("referral", "code", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-created_at")
