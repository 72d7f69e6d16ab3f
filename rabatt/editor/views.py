"""The campaign editor's pages: thin, over editor.services."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rabatt.accounts.guards import staff_required
from rabatt.accounts.roles import require
from rabatt.accounts.selectors import campaigns_visible_to
from rabatt.campaigns.campaign_file import dump_yaml, parse_yaml
from rabatt.campaigns.models import Campaign, CampaignState
from rabatt.campaigns.rules import Purchase, PurchaseLine
from rabatt.campaigns.services import campaign_quote
from rabatt.core.errors import DomainError, NotFound
from rabatt.editor import presenters, services
from rabatt.editor.forms import (
    PART_FORMS,
    CloneForm,
    ExtendForm,
    FileForm,
    PartForm,
    QuoteForm,
    part_initial,
)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "review/refused.html", {"error": exc}, status=exc.status)


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    require(request.user, "campaigns.manage")
    campaign = campaigns_visible_to(request.user).select_related("brand").filter(
        slug=slug).first()
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return campaign


@staff_required
@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, "campaigns.manage")
    except DomainError as exc:
        return _refused(request, exc)
    rows = campaigns_visible_to(request.user).select_related("brand").order_by("slug")
    return render(request, "editor/campaigns.html", {"campaigns": rows})


def _part_forms(request: HttpRequest, current: dict[str, Any]) -> dict[str, PartForm]:
    """Every part form, unbound; a product or retailer named in the query starts filled in."""
    made: dict[str, PartForm] = {}
    for name, cls in PART_FORMS.items():
        initial = None
        wanted = request.GET.get(name, "")[:80]
        if name in ("product", "retailer") and wanted:
            initial = part_initial(name, current, wanted)
        made[name] = cls(prefix=name, initial=initial)
    return made


@staff_required
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = _campaign(request, slug)
        current_text = services.campaign_file_text(campaign=item)
        current = parse_yaml(current_text)
        part = request.POST.get("part", "file") if request.method == "POST" else ""
        form = FileForm(request.POST if part == "file" else None,
                        initial={"text": current_text})
        parts = _part_forms(request, current)
        bound: forms.Form = form
        text = None
        if part in PART_FORMS:
            bound = parts[part] = PART_FORMS[part](request.POST, prefix=part)
            if bound.is_valid():
                parts[part].apply(current)
                if not bound.errors:
                    text = dump_yaml(current)
        elif part == "file" and form.is_valid():
            text = form.cleaned_data["text"]
        preview = problems = None
        if text is not None:
            try:
                if "save" in request.POST:
                    change = services.campaign_change_propose(actor=request.user,
                                                              campaign=item, text=text)
                    messages.success(request, _("The change was applied.")
                                     if change.status == "applied" else
                                     _("The change waits for a second campaign manager."))
                    return redirect("editor:campaign", slug=slug)
                preview = services.campaign_change_preview(actor=request.user, campaign=item,
                                                           text=text)
            except DomainError as exc:
                if exc.code not in ("invalid_campaign", "no_change", "change_pending"):
                    raise
                problems = (exc.fields or {}).get("problems") or [exc.message]
                if bound is not form:
                    for problem in problems:
                        bound.add_error(None, str(problem))
                    problems = None
    except DomainError as exc:
        return _refused(request, exc)
    quote_form = QuoteForm(request.GET if "quote" in request.GET else None)
    quote = None
    if quote_form.is_bound and quote_form.is_valid():
        q = quote_form.cleaned_data
        quote = campaign_quote(campaign=item, purchase=Purchase(
            country=q["country"].upper(), channel=q["channel"],
            purchased_at=q["purchased_at"].replace(tzinfo=UTC),
            claimed_at=q["claimed_at"].replace(tzinfo=UTC),
            lines=[PurchaseLine(product=q["product"], price=q["price"],
                                quantity=q["quantity"])],
            retailer=q["retailer"] or None))
    history = presenters.history(campaign=item)
    return render(request, "editor/campaign.html", {
        "campaign": item, "form": form, "preview": preview, "problems": problems,
        "parts": parts, "part": part,
        "history": history, "live": services.is_live(item),
        "paused": item.state == CampaignState.PAUSED,
        "extend_form": ExtendForm(initial={
            "purchase_ends_before": item.purchase_ends_before.astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M"),
            "claims_end_before": item.claims_end_before.astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M")}),
        "clone_form": CloneForm(), "quote_form": quote_form, "quote": quote})


@staff_required
@require_POST
def act(request: HttpRequest, slug: str, action: str) -> HttpResponseBase:
    try:
        item = _campaign(request, slug)
        if action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give both dates."))
                return redirect("editor:campaign", slug=slug)
            change = services.campaign_extend(
                actor=request.user, campaign=item,
                purchase_ends_before=form.cleaned_data["purchase_ends_before"]
                .replace(tzinfo=UTC),
                claims_end_before=form.cleaned_data["claims_end_before"].replace(tzinfo=UTC))
        elif action == "end":
            change = services.campaign_end(actor=request.user, campaign=item)
        elif action in ("pause", "resume"):
            move = services.campaign_pause if action == "pause" else services.campaign_resume
            move(actor=request.user, campaign=item)
            messages.success(request, _("The campaign is paused: new claims are refused.")
                             if action == "pause" else
                             _("The campaign accepts claims again."))
            return redirect("editor:campaign", slug=slug)
        elif action == "clone":
            clone = CloneForm(request.POST)
            if not clone.is_valid():
                messages.error(request, _("Give the copy a slug: lower-case letters, digits "
                                          "and hyphens."))
                return redirect("editor:campaign", slug=slug)
            change = services.campaign_clone(actor=request.user, campaign=item,
                                             slug=clone.cleaned_data["slug"])
            messages.success(request, _("The campaign was copied."))
            return redirect("editor:campaign", slug=change.campaign.slug)
        elif action in ("approve", "reject"):
            change_id = int(request.POST.get("change", "0") or 0)
            decide = (services.campaign_change_approve if action == "approve"
                      else services.campaign_change_reject)
            change = decide(actor=request.user, change_id=change_id)
        else:
            raise NotFound(_("No such action."), code="not_found")
    except (DomainError, ValueError) as exc:
        if isinstance(exc, ValueError):
            exc = DomainError(_("This request is not valid."), code="invalid")
        if exc.status in (403, 404):
            return _refused(request, exc)
        messages.error(request, str(exc.message))
        return redirect("editor:campaign", slug=slug)
    messages.success(request, _("The change was applied.") if change.status == "applied" else
                     _("The change waits for a second campaign manager.")
                     if change.status == "pending" else _("The change was turned down."))
    return redirect("editor:campaign", slug=slug)
