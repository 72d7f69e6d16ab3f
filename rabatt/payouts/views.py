"""The finance pages under /staff/payouts/: thin views over payouts.services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rabatt.accounts.guards import staff_required
from rabatt.accounts.roles import require
from rabatt.accounts.selectors import campaigns_visible_to, sees_all_brands
from rabatt.core.errors import DomainError, PermissionDenied
from rabatt.core.timeutil import utcnow
from rabatt.payouts import selectors, services
from rabatt.payouts.forms import BuildForm, ExportForm, ImportForm
from rabatt.payouts.transitions import BATCH_TRANSITIONS

PERMISSION = "payouts.manage"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "payouts/refused.html", {"error": exc}, status=exc.status)


def _require_all_brands(actor: User) -> None:
    """Bank files and their imports carry every brand's payments: operator staff only."""
    if not sees_all_brands(actor):
        raise PermissionDenied(_("Bank files carry the payments of every brand: only staff "
                                 "who serve every brand import them."), code="brand_scoped")


def _build_form(actor: User, data: Any = None) -> BuildForm:
    campaigns = [(c.slug, c.display_name) for c in campaigns_visible_to(actor)]
    return BuildForm(data, currencies=selectors.payout_currencies(),
                     payers=[p.name for p in selectors.payers_active()], campaigns=campaigns)


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    try:
        require(actor, PERMISSION)
    except DomainError as exc:
        return _refused(request, exc)
    now = utcnow()
    return render(request, "payouts/index.html", {
        "queue": selectors.payout_queue(actor=actor),
        "batches": selectors.batches_recent(actor=actor),
        "imports": selectors.imports_recent(limit=10) if sees_all_brands(actor) else [],
        "late": selectors.claims_late(actor=actor, now=now).count(),
        "soon": selectors.claims_due_soon(actor=actor, now=now).count(),
        "form": _build_form(actor),
        "import_form": ImportForm(),
    })


@staff_required
@require_POST
def build(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    form = _build_form(actor, request.POST)
    try:
        require(actor, PERMISSION)
        if not selectors.payers_active().exists():
            raise DomainError(_("A batch needs a paying account, and there is none yet. Add "
                                "one on the server: rabatt payouts payer add NAME --iban IBAN "
                                "--country CC --currency CUR."), code="payer_missing")
        if not form.is_valid():
            raise DomainError(_("Check the form."), code="invalid_input", fields=form.errors)
        data = form.cleaned_data
        payer = selectors.payer_by_name(name=data["payer"]) if data["payer"] else None
        campaign = (campaigns_visible_to(actor).filter(slug=data["campaign"]).first()
                    if data["campaign"] else None)
        if campaign is None and not sees_all_brands(actor):
            raise DomainError(_("Choose a campaign: you serve only some brands."),
                              code="campaign_required", fields={"campaign": "required"})
        batch = services.payout_batch_build(actor=actor, currency=data["currency"], payer=payer,
                                            campaign=campaign, limit=data["limit"])
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("Batch built. Another finance user must approve it."))
    return HttpResponseRedirect(reverse("payouts:batch", args=[batch.pk]))


@staff_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = _user(request)
    try:
        require(actor, PERMISSION)
        batch = selectors.batch_get(batch_id=batch_id, actor=actor)
    except DomainError as exc:
        return _refused(request, exc)
    after = int(request.GET.get("after") or 0)
    payments = selectors.batch_payments(batch=batch, after=after)
    actions = BATCH_TRANSITIONS.allowed(batch.status, "staff")
    return render(request, "payouts/batch.html", {
        "batch": batch,
        "payments": payments,
        "next_after": payments[-1]["pk"] if len(payments) == selectors.PAGE else None,
        "counts": selectors.batch_status_counts(batch=batch),
        "shared_accounts": selectors.batch_shared_accounts(batch=batch),
        "events": selectors.batch_events(batch=batch),
        # What finance may do next comes from the table; approving also needs a second person.
        "actions": actions,
        "can_approve": "approve" in actions and batch.built_by_id != actor.pk,
        "export_form": ExportForm(initial={"version": batch.payer.file_version}),
    })


def _act(request: HttpRequest, batch_id: int, done: str, action: Any) -> HttpResponse:
    try:
        selectors.batch_get(batch_id=batch_id, actor=_user(request))  # NotFound for other brands
        action()
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("payouts:batch", args=[batch_id]))


@staff_required
@require_POST
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _act(request, batch_id, _("Batch approved; its bank file can now be produced."),
                lambda: services.payout_batch_approve(batch_id=batch_id, actor=_user(request)))


@staff_required
@require_POST
def batch_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _act(request, batch_id, _("Batch cancelled; its claims are back in the queue."),
                lambda: services.payout_batch_cancel(batch_id=batch_id, actor=_user(request)))


@staff_required
@require_POST
def batch_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    form = ExportForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    return _act(request, batch_id, _("Bank file produced."),
                lambda: services.payout_batch_export(batch_id=batch_id, actor=_user(request),
                                                     version=version))


@staff_required
@require_GET
def batch_file(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    try:
        selectors.batch_get(batch_id=batch_id, actor=_user(request))
        batch, chunks = services.bank_file_read(batch_id=batch_id, actor=_user(request),
                                                via="web")
    except DomainError as exc:
        return _refused(request, exc)
    response = StreamingHttpResponse(chunks, content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="{batch.message_id}.{batch.file_version}.xml"')
    response["Content-Length"] = str(batch.file_size)
    response["X-Content-SHA256"] = batch.file_sha256
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    try:
        require(actor, PERMISSION)
        _require_all_brands(actor)
        if request.method == "POST":
            if not form.is_valid():
                raise DomainError(_("Choose a file."), code="invalid_input", fields=form.errors)
            upload = form.cleaned_data["file"]
            result = services.bank_file_import(source=upload.read(services.MAX_IMPORT_BYTES + 1),
                                               filename=upload.name or "", actor=actor)
            if result.already:
                messages.info(request, _("This file was imported before; nothing was changed."))
            else:
                messages.success(request, _("Bank file imported."))
            return HttpResponseRedirect(reverse("payouts:import_detail", args=[result.log.pk]))
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "payouts/import.html", {"form": form,
                                                   "imports": selectors.imports_recent()})


@staff_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    try:
        require(_user(request), PERMISSION)
        _require_all_brands(_user(request))
        row = selectors.import_get(import_id=import_id)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "payouts/import_detail.html", {"log": row})


@staff_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    try:
        require(actor, PERMISSION)
    except DomainError as exc:
        return _refused(request, exc)
    now = utcnow()
    fields = ("reference", "amount", "currency", "status", "payment_due_at", "campaign__slug")
    return render(request, "payouts/due.html", {
        "late": selectors.claims_late(actor=actor, now=now).values(*fields)[:500],
        "soon": selectors.claims_due_soon(actor=actor, now=now).values(*fields)[:500],
        "late_count": selectors.claims_late(actor=actor, now=now).count(),
        "soon_count": selectors.claims_due_soon(actor=actor, now=now).count(),
        "days": selectors.DUE_SOON_DAYS,
        "now": now,
    })
