"""Writes of the campaign editor: every change goes through the campaign file loader.

A change is the whole campaign file, edited: it is validated exactly as `rabatt campaign load`
validates a file (schema, dates, countries, the cap outlier check) and loaded by the same
service. A change to a live campaign that touches money (the rate, a cap, a window) waits for
a second campaign manager; every change is kept, with the file before and after.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rabatt.accounts.roles import require
from rabatt.accounts.selectors import campaign_visible_to
from rabatt.campaigns import services as campaign_services
from rabatt.campaigns.campaign_file import (
    CampaignData,
    CampaignFileError,
    dump_yaml,
    format_datetime,
    load_text,
    parse_yaml,
)
from rabatt.campaigns.models import Campaign, CampaignEvent
from rabatt.campaigns.services import campaign_export, campaign_load
from rabatt.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from rabatt.core.timeutil import utcnow
from rabatt.editor.models import CampaignChange, ChangeStatus

# Paths of the campaign file whose change moves money.
MONEY_PATHS = ("benefit", "purchase_window", "claims", "channels.retailer.caps",
               "channels.direct.caps")


def campaign_file_text(*, campaign: Campaign) -> str:
    """The campaign as its file, the text the editor starts from."""
    return dump_yaml(campaign_export(campaign=campaign))


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def money_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The paths of the file where money is concerned and the two versions differ."""
    return [p for p in MONEY_PATHS if _get(before, p) != _get(after, p)]


def diff_lines(before: str, after: str) -> list[str]:
    """A unified diff of two campaign files, for the preview and the history."""
    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), "before",
                                     "after", lineterm="", n=2))


def is_live(campaign: Campaign, now: datetime | None = None) -> bool:
    """True from the first purchase that counts until the claim deadline."""
    now = now or utcnow()
    return campaign.purchase_starts_at <= now < campaign.claims_end_before


def _validated(text: str, campaign: Campaign) -> CampaignData:
    brand = campaign.brand.slug if campaign.brand_id and campaign.brand else None
    try:
        # The slug and the brand are not the editor's to change.
        return load_text(text, slug=campaign.slug, brand=brand)
    except CampaignFileError as exc:
        raise DomainError(_("The campaign file has problems."), code="invalid_campaign",
                          fields={"problems": exc.problems}) from None


def _allowed(actor: Any, campaign: Campaign) -> None:
    require(actor, "campaigns.manage")
    if not campaign_visible_to(actor, campaign):
        raise NotFound(_("No such campaign."), code="campaign_not_found")


def campaign_change_preview(*, actor: Any, campaign: Campaign, text: str) -> dict[str, Any]:
    """Validate an edited file and say what would change, without changing anything."""
    _allowed(actor, campaign)
    data = _validated(text, campaign)
    before = campaign_file_text(campaign=campaign)
    after = dump_yaml(data.raw)
    money = money_changes(parse_yaml(before), data.raw)
    return {"diff": diff_lines(before, after), "money": money,
            "needs_approval": bool(money) and is_live(campaign)}


def campaign_change_propose(*, actor: Any, campaign: Campaign, text: str,
                            kind: str = "edit") -> CampaignChange:
    """Apply an edited campaign file, or keep it for a second manager if it must wait."""
    _allowed(actor, campaign)
    data = _validated(text, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("brand").get(
            pk=campaign.pk)
        before = campaign_file_text(campaign=campaign)
        after = dump_yaml(data.raw)
        if before == after:
            raise DomainError(_("Nothing changed."), code="no_change")
        money = money_changes(parse_yaml(before), data.raw)
        waits = bool(money) and is_live(campaign)
        now = utcnow()
        try:
            with transaction.atomic():
                change = CampaignChange.objects.create(
                    campaign=campaign, kind=kind, before=before, after=after, money=money,
                    status=ChangeStatus.PENDING if waits else ChangeStatus.APPLIED,
                    requested_by=actor, requested_at=now)
        except IntegrityError:
            raise Conflict(_("Another change to this campaign is waiting for approval: "
                             "decide on it first."), code="change_pending") from None
        if not waits:
            campaign_load(data=data)
    return change


def _pending(change_id: int, actor: Any) -> CampaignChange:
    change = (CampaignChange.objects.select_for_update().select_related("campaign")
              .filter(pk=change_id).first())
    if change is None or not campaign_visible_to(actor, change.campaign):
        raise NotFound(_("No such change."), code="change_not_found")
    if change.status != ChangeStatus.PENDING:
        raise Conflict(_("This change was decided already."), code="change_decided")
    return change


def campaign_change_approve(*, actor: Any, change_id: int) -> CampaignChange:
    """A second manager approves a waiting change; it is applied if the file is unchanged."""
    require(actor, "campaigns.manage")
    with transaction.atomic():
        change = _pending(change_id, actor)
        if change.requested_by_id == actor.pk:
            raise PermissionDenied(_("A second campaign manager must approve this change."),
                                   code="four_eyes")
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("brand").get(
            pk=change.campaign_id)
        status = ChangeStatus.APPLIED
        if campaign_file_text(campaign=campaign) != change.before:
            status = ChangeStatus.SUPERSEDED  # the campaign changed since: decide afresh
        else:
            campaign_load(data=_validated(change.after, campaign))
        CampaignChange.objects.filter(pk=change.pk).update(
            status=status, decided_by=actor, decided_at=utcnow())
    change.refresh_from_db()
    if status == ChangeStatus.SUPERSEDED:
        raise Conflict(_("The campaign changed after this was asked for; it was not applied."),
                       code="change_superseded")
    return change


def campaign_change_reject(*, actor: Any, change_id: int) -> CampaignChange:
    """Turn down a waiting change (the person who asked may withdraw it too)."""
    require(actor, "campaigns.manage")
    with transaction.atomic():
        change = _pending(change_id, actor)
        CampaignChange.objects.filter(pk=change.pk).update(
            status=ChangeStatus.REJECTED, decided_by=actor, decided_at=utcnow())
    change.refresh_from_db()
    return change


def campaign_extend(*, actor: Any, campaign: Campaign, purchase_ends_before: datetime,
                    claims_end_before: datetime) -> CampaignChange:
    """Move the end of the purchase window and the claim deadline."""
    data = parse_yaml(campaign_file_text(campaign=campaign))
    data["purchase_window"]["ends_before"] = format_datetime(purchase_ends_before)
    data["claims"]["ends_before"] = format_datetime(claims_end_before)
    return campaign_change_propose(actor=actor, campaign=campaign, text=dump_yaml(data),
                                   kind="extend")


def campaign_end(*, actor: Any, campaign: Campaign) -> CampaignChange:
    """End the campaign now: no purchase and no claim counts from now on.

    Claims already submitted are untouched and go on through review and payment.
    """
    now = utcnow().replace(microsecond=0)
    data = parse_yaml(campaign_file_text(campaign=campaign))
    data["purchase_window"]["ends_before"] = format_datetime(
        min(now, campaign.purchase_ends_before))
    data["claims"]["ends_before"] = format_datetime(min(now, campaign.claims_end_before))
    return campaign_change_propose(actor=actor, campaign=campaign, text=dump_yaml(data),
                                   kind="end")


def campaign_clone(*, actor: Any, campaign: Campaign, slug: str) -> CampaignChange:
    """Copy a campaign under a new slug (same brand), recorded in the copy's history."""
    _allowed(actor, campaign)
    if Campaign.objects.filter(slug=slug).exists():
        raise Conflict(_("A campaign with this slug exists already."), code="slug_taken")
    text = campaign_file_text(campaign=campaign)
    data = _validated(text, campaign)
    data.raw["slug"] = slug
    with transaction.atomic():
        try:
            copy, _created = campaign_load(data=load_text(dump_yaml(data.raw), slug=slug))
        except CampaignFileError as exc:
            raise DomainError(_("The campaign file has problems."), code="invalid_campaign",
                              fields={"problems": exc.problems}) from None
        return CampaignChange.objects.create(
            campaign=copy, kind="clone", before="", after=campaign_file_text(campaign=copy),
            status=ChangeStatus.APPLIED, requested_by=actor, requested_at=utcnow())


def campaign_pause(*, actor: Any, campaign: Campaign) -> CampaignEvent:
    """Stop new claims now (not a money change: no second manager); submitted ones go on."""
    _allowed(actor, campaign)
    return campaign_services.campaign_pause(campaign=campaign, actor=actor)


def campaign_resume(*, actor: Any, campaign: Campaign) -> CampaignEvent:
    """Accept new claims again."""
    _allowed(actor, campaign)
    return campaign_services.campaign_resume(campaign=campaign, actor=actor)
