"""The dashboard page: thin, over reports.selectors and reports.presenters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rabatt.accounts.guards import staff_required
from rabatt.accounts.selectors import brands_visible_to
from rabatt.campaigns.models import CampaignCountry, translated
from rabatt.core.errors import DomainError
from rabatt.reports import presenters, selectors
from rabatt.reports.forms import DashboardForm


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        campaigns = selectors.visible_campaigns(actor=request.user)
        form = DashboardForm(
            request.GET or None,
            brands=[(b.slug, b.name) for b in brands_visible_to(request.user)],
            campaigns=[(c.slug, translated(c.name, c.slug))
                       for c in campaigns.only("slug", "name")],
            countries=sorted(set(CampaignCountry.objects.filter(campaign__in=campaigns)
                                 .values_list("country", flat=True))))
        f = selectors.report_filter(actor=request.user, **form.filters())
    except DomainError as exc:
        return render(request, "review/refused.html", {"error": exc}, status=exc.status)
    panels = presenters.dashboard_panels(selectors.dashboard(f=f))
    return render(request, "reports/dashboard.html", {"form": form, "panels": panels})
