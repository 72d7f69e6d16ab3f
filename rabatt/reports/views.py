"""The dashboard page and its exports: thin, over reports.selectors and reports.presenters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rabatt.accounts.guards import staff_required
from rabatt.accounts.selectors import brands_visible_to
from rabatt.campaigns.models import CampaignCountry, translated
from rabatt.claims.models import ClaimStatus
from rabatt.core.errors import DomainError
from rabatt.core.timeutil import utcnow
from rabatt.reports import exports, presenters, selectors, services
from rabatt.reports.forms import DashboardForm

EXPORTS = ("claims", "per_day", "liability", "reasons", "signals", "funnel")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest) -> tuple[DashboardForm, selectors.ReportFilter]:
    campaigns = selectors.visible_campaigns(actor=request.user)
    form = DashboardForm(
        request.GET or None,
        brands=[(b.slug, b.name) for b in brands_visible_to(request.user)],
        campaigns=[(c.slug, translated(c.name, c.slug))
                   for c in campaigns.only("slug", "name")],
        countries=sorted(set(CampaignCountry.objects.filter(campaign__in=campaigns)
                             .values_list("country", flat=True))))
    return form, selectors.report_filter(actor=request.user, **form.filters())


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "review/refused.html", {"error": exc}, status=exc.status)


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        form, f = _form(request)
    except DomainError as exc:
        return _refused(request, exc)
    panels = presenters.dashboard_panels(selectors.dashboard(f=f))
    query = request.GET.urlencode()
    return render(request, "reports/dashboard.html", {
        "form": form, "panels": panels, "query": query,
        "exports": [p.key for p in panels if p.key in EXPORTS],
        "weekly": selectors.weekly_summary_on(user=request.user)})


@staff_required
@require_POST
def weekly(request: HttpRequest) -> HttpResponseBase:
    try:
        on = services.weekly_summary_opt(user=request.user, on=request.POST.get("on") == "1")
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("You will receive the weekly summary by e-mail.") if on else
                     _("You will no longer receive the weekly summary."))
    return redirect("reports:dashboard")


@staff_required
@require_GET
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponseBase:
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        _form_unused, f = _form(request)
    except DomainError as exc:
        return _refused(request, exc)
    if what == "claims":
        status = request.GET.get("status", "")
        header: tuple[str, ...] = selectors.CLAIM_EXPORT_HEADER
        rows: Iterable[tuple[Any, ...]] = selectors.claims_export_rows(
            f=f, status=status if status in ClaimStatus.values else "")
    else:
        header, rows = selectors.panel_export(f=f, what=what)
    name = f"rabatt-{what}-{utcnow():%Y%m%d-%H%M}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(exports.xlsx_file(what, header, rows), as_attachment=True,
                        filename=f"{name}.xlsx", content_type=XLSX)
