"""The review desk pages: thin views over review.services and review.selectors."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rabatt.accounts.guards import staff_required
from rabatt.accounts.roles import has_perm, permissions_of, require
from rabatt.accounts.selectors import campaigns_visible_to, scope_by_brand
from rabatt.campaigns.models import CampaignCountry, translated
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.transitions import allowed_actions
from rabatt.core.errors import DomainError, PermissionDenied
from rabatt.core.timeutil import utcnow
from rabatt.receipts.models import ReceiptFile
from rabatt.reports import exports
from rabatt.review import presenters, selectors, services
from rabatt.review.forms import BulkForm, DecisionForm, InfoForm, NoteForm, QueueForm, RejectForm
from rabatt.review.models import BulkJob

SHORTCUTS = [("a", "approve"), ("r", "reject"), ("i", "request_info"), ("v", "void"),
             ("o", "reopen"), ("n", "note")]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "review/refused.html", {"error": exc}, status=exc.status)


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return queue_response(request)


def _queue_form(request: HttpRequest, actor: User) -> QueueForm:
    names = [(c.slug, translated(c.name, c.slug))
             for c in campaigns_visible_to(actor).only("slug", "name")]
    seen = Counter(name for _slug, name in names)
    # Two campaigns of one name (a live copy of an example) are told apart by their slug.
    campaigns = [(slug, f"{name} ({slug})" if seen[name] > 1 else name) for slug, name in names]
    countries = sorted({(c, c) for c in scope_by_brand(CampaignCountry.objects.all(), actor)
                        .values_list("country", flat=True)})
    return QueueForm(request.GET or None, campaigns=campaigns, countries=countries)


def queue_response(request: HttpRequest) -> HttpResponse:
    """The queue page for a request whose staff login is checked already (also /staff/)."""
    actor = _user(request)
    try:
        require(actor, "claims.view")
    except PermissionDenied as exc:
        return _refused(request, exc)
    form = _queue_form(request, actor)
    filters = form.filters()
    try:
        page = selectors.queue_page(actor=actor, filters=filters, after=request.GET.get("after"))
    except DomainError as exc:
        return _refused(request, exc)
    params = {k: v for k, v in request.GET.items() if k != "after" and v}
    base = reverse("review:queue")
    return render(request, "review/queue.html", {
        "form": form, "page": page, "sort_field": page.sort_field,
        "counts": [(s, label, n) for (s, label), n in zip(
            ClaimStatus.choices,
            selectors.queue_counts(actor=actor, campaign=filters.campaign).values(),
            strict=True)],
        "campaign_filter": filters.campaign,
        "next_url": f"{base}?{urlencode({**params, 'after': page.next_cursor})}"
        if page.next_cursor else "",
        "first_url": f"{base}?{urlencode(params)}" if request.GET.get("after") else "",
        "can_bulk": has_perm(actor, "claims.bulk"),
        "export_query": urlencode(params),
        "bulk_form": BulkForm(),
        "rows": [{"claim": c, "due": getattr(c, page.sort_field),
                  "flags": [(f, selectors.RISK_LABELS.get(f, f))
                            for f in selectors.row_risk_flags(c)],
                  "pending": c.pk in page.pending_approval} for c in page.rows],
    })


@staff_required
@require_GET
def queue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The whole queue for the page's filters, as CSV (streamed) or XLSX, brand-scoped."""
    actor = _user(request)
    try:
        require(actor, "claims.view")
    except PermissionDenied as exc:
        return _refused(request, exc)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = selectors.queue_export_rows(actor=actor, filters=_queue_form(request, actor).filters())
    name = f"rabatt-queue-{utcnow():%Y%m%d-%H%M}"
    header = selectors.QUEUE_EXPORT_HEADER
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(exports.xlsx_file("queue", header, rows), as_attachment=True,
                        filename=f"{name}.xlsx", content_type=exports.XLSX_TYPE)


def _risk_flags(claim: Claim) -> list[selectors.RiskFlag]:
    return selectors.claim_risk(claim=claim)


def _pages(files: list[ReceiptFile], checks: presenters.ClaimChecks) -> list[tuple[Any, ...]]:
    """Every page of every file (1-based) with the evidence boxes to draw on it."""
    return [(f, [(n, checks.boxes_on(f.pk, n)) for n in range(1, max(f.page_count, 1) + 1)])
            for f in files]


def _claim_context(request: HttpRequest, reference: str, **extra: Any) -> dict[str, Any]:
    actor = _user(request)
    claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
    held = services.claim_open(claim=claim, actor=actor)
    holder = selectors.assignment_of(claim=claim)
    files = list(claim.files.all())
    events = list(claim.events.select_related("actor"))
    pending = selectors.pending_approval(claim=claim)
    actions = set(allowed_actions(claim.status, "staff")) - {"mark_paid", "mark_payment_failed",
                                                             "retry_payment", "start_review"}
    perms = permissions_of(actor)
    can = {a: a in actions and f"claims.{a}" in perms
           for a in ("approve", "reject", "request_info", "void", "reopen")}
    if holder is not None and held is None:  # someone else is reviewing it
        can.update(approve=False, reject=False, request_info=False)
    with translation.override(claim.locale):
        status_label_consumer = str(ClaimStatus(claim.status).label)
    checks = presenters.claim_checks(claim=claim, files=files)
    return {
        "claim": claim, "held": held, "holder": holder, "files": files,
        "checks": checks, "pages": _pages(files, checks),
        "events": events, "history": presenters.claim_history(events=events),
        "notes": list(claim.notes.select_related("author")),
        "lines": list(claim.lines.select_related("product")),
        "quote": selectors.claim_live_quote(claim=claim),
        "related": selectors.claim_related(claim=claim, actor=actor,
                                           address="address" in request.GET),
        "risk_flags": _risk_flags(claim),
        "four_eyes": selectors.four_eyes_reasons(claim=claim),
        "four_eyes_limit": selectors.four_eyes_limit(claim=claim),
        "pending": pending,
        "pending_mine": pending is not None and pending.requested_by_id == actor.pk,
        "can": can, "can_bank_full": "bank.view_full" in perms,
        "shortcuts": [(k, a) for k, a in SHORTCUTS if a == "note" or can.get(a)],
        "decision_form": DecisionForm(), "reject_form": RejectForm(),
        "info_form": InfoForm(), "note_form": NoteForm(),
        "info_texts": json.dumps(presenters.info_reason_texts(claim=claim)),
        "status_label_consumer": status_label_consumer,
        "bank": getattr(claim, "bank", None),
        **extra,
    }


@staff_required
@require_GET
def claim_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        context = _claim_context(request, reference)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "review/claim.html", context)


FORMS = {"approve": DecisionForm, "reject": RejectForm, "request_info": InfoForm,
         "void": DecisionForm, "reopen": DecisionForm}


@staff_required
@require_GET
def claim_signals(request: HttpRequest, reference: str) -> HttpResponse:
    """The checks section alone (and the evidence boxes on the receipt pages), for the claim
    page to poll while the receipts are still being read. It neither holds nor moves the claim:
    looking at the progress is not reviewing."""
    actor = _user(request)
    try:
        require(actor, "claims.view")
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
    except DomainError as exc:
        return _refused(request, exc)
    services.access_log(actor=actor, claim=claim, what="signals")
    files = list(claim.files.all())
    checks = presenters.claim_checks(claim=claim, files=files)
    return render(request, "review/signals_fragment.html", {
        "claim": claim, "checks": checks, "risk_flags": _risk_flags(claim),
        "pages": _pages(files, checks)})


@staff_required
@require_POST
def claim_decide(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    actor = _user(request)
    action = action.replace("-", "_")
    form_class = FORMS.get(action)
    try:
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
        if form_class is None:
            raise DomainError(_("Unknown action."), code="invalid_action", status=404)
        form = form_class(request.POST)
        if not form.is_valid():
            raise DomainError(" ".join(str(e) for errs in form.errors.values() for e in errs),
                              code="invalid_input")
        decision = services.decide(action=action, claim_id=claim.pk, actor=actor,
                                   params=dict(form.cleaned_data))
    except PermissionDenied as exc:
        return _refused(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("review:claim", args=[reference]))
    if decision.outcome == services.PENDING_SECOND_APPROVAL:
        messages.success(request, _("First approval recorded: a second approver must now "
                                    "approve %(reference)s.") % {"reference": claim.reference})
    else:
        messages.success(request, _("%(reference)s is now: %(status)s.") % {
            "reference": claim.reference, "status": ClaimStatus(decision.outcome).label})
    return HttpResponseRedirect(reverse("review:queue"))


@staff_required
@require_POST
def claim_note(request: HttpRequest, reference: str) -> HttpResponse:
    form = NoteForm(request.POST)
    try:
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
        services.note_add(claim_id=claim.pk, actor=_user(request),
                          body=form.data.get("body", ""))
    except PermissionDenied as exc:
        return _refused(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return HttpResponseRedirect(reverse("review:claim", args=[reference]) + "#notes")


@staff_required
@require_POST
def claim_release(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
        services.assignment_release(claim_id=claim.pk, actor=_user(request))
    except DomainError as exc:
        return _refused(request, exc)
    return HttpResponseRedirect(reverse("review:queue"))


@staff_required
def claim_bank(request: HttpRequest, reference: str) -> HttpResponse:
    """Full bank details for finance: a confirmation first, each reveal audited."""
    actor = _user(request)
    try:
        require(actor, "bank.view_full")
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
        details = (services.bank_details_full(claim=claim, actor=actor)
                   if request.method == "POST" else None)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "review/bank.html", {"claim": claim, "details": details})


@staff_required
@require_GET
def receipt_page(request: HttpRequest, reference: str, file_id: str, page: int) -> HttpResponse:
    try:
        claim = selectors.claim_by_reference(reference=reference, actor=_user(request))
        data, content_type = services.receipt_page(claim=claim, actor=_user(request),
                                                   receipt_id=file_id, page=page - 1)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@staff_required
@require_POST
def bulk_start(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(reverse("review:queue"))
    try:
        job = services.bulk_start(actor=_user(request), action=form.cleaned_data["action"],
                                  claim_ids=form.cleaned_data["claims"], params=form.params())
    except PermissionDenied as exc:
        return _refused(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("review:queue"))
    return HttpResponseRedirect(reverse("review:bulk", args=[job.pk]))


@staff_required
@require_GET
def bulk_status(request: HttpRequest, job_id: str) -> HttpResponse:
    job = BulkJob.objects.filter(pk=job_id, actor=_user(request)).first()
    if job is None:
        return _refused(request, DomainError(_("No such job."), code="not_found", status=404))
    results = list(job.results.order_by("id"))
    failed = [r for r in results if not r.ok]
    progress = {"status": job.status, "total": len(job.claim_ids), "done": len(results),
                "failed": len(failed)}
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    return render(request, "review/bulk.html", {"job": job, "progress": progress,
                                                "failed": failed, "results": results})
