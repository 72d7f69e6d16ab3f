"""Shapes the campaign editor's history for its page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabatt.campaigns.models import Campaign, CampaignState
from rabatt.campaigns.selectors import campaign_events
from rabatt.editor.models import CampaignChange, ChangeStatus


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    kind: str
    by: str
    status: str
    decided_by: str = ""
    money: list[str] = field(default_factory=list)
    pending_id: int | None = None  # a change waiting for a second manager


def history(*, campaign: Campaign, limit: int = 50) -> list[HistoryRow]:
    """Edits and state changes (pause, resume) of a campaign, newest first, with who acted."""
    rows = [HistoryRow(
        at=ch.requested_at, kind=ch.kind, by=ch.requested_by.email,
        status=str(ch.get_status_display()),
        decided_by=ch.decided_by.email if ch.decided_by else "", money=list(ch.money),
        pending_id=ch.pk if ch.status == ChangeStatus.PENDING else None)
        for ch in CampaignChange.objects.filter(campaign=campaign).select_related(
            "requested_by", "decided_by")[:limit]]
    labels = dict(CampaignState.choices)
    rows += [HistoryRow(at=ev.at, kind=ev.action, by=ev.actor.email,
                        status=str(labels[ev.state_to]))
             for ev in campaign_events(campaign=campaign)[:limit]]
    return sorted(rows, key=lambda r: r.at, reverse=True)[:limit]
