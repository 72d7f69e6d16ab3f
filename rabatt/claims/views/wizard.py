"""The claim wizard: code, purchase, proof, details and review, then the confirmation."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.selectors import campaign_accepts_claims_check, campaign_get
from rabatt.campaigns.views import content_text, visitor_country
from rabatt.claims import uploads, wizard
from rabatt.claims.forms import MAX_LINES, CodeForm, DetailsForm, PurchaseForm, ReviewForm
from rabatt.claims.models import ClaimDraft
from rabatt.claims.presenters import (
    draft_reading_help,
    review_summary,
    submit_error,
    wizard_context,
)
from rabatt.claims.services import (
    DeclarationsIn,
    claim_submit,
    draft_purchase_from_receipt,
    draft_update,
    terms_version,
)
from rabatt.codes.alphabet import display
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.i18n import country_name, purchase_country_remember
from rabatt.core.ratelimit import client_ip, rate_limit
from rabatt.core.timeutil import utcnow
from rabatt.receipts.safety import UploadRefused


def _campaign(slug: str) -> Campaign:
    try:
        return campaign_get(slug=slug)
    except NotFound:
        raise Http404 from None


def _closed_page(request: HttpRequest, campaign: Campaign) -> HttpResponse | None:
    """Explain why the wizard is not open, or return None when it is."""
    now = utcnow()
    paused = False
    if campaign.purchase_starts_at <= now < campaign.claims_end_before:
        try:
            campaign_accepts_claims_check(campaign=campaign)
            return None
        except DomainError:
            paused = True
    return render(request, "claims/wizard/closed.html", {
        "campaign": campaign, "not_started": now < campaign.purchase_starts_at,
        "paused": paused,
    })


def _staging(campaign: Campaign) -> uploads.Staging:
    return uploads.Staging(route="claims:draft_file", kwargs={"slug": campaign.slug},
                           page_url=wizard.step_url(campaign, "proof"),
                           reading=functools.partial(draft_reading_help, campaign))


def _device_cookie(view: Any) -> Any:
    """Set the device cookie on every answer of the wizard that lacks it."""
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        wizard.device_cookie_ensure(request, response)
        return response
    return wrapped


@_device_cookie
def wizard_start(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Send the browser to the first step it has not completed."""
    campaign = _campaign(slug)
    closed = _closed_page(request, campaign)
    if closed is not None:
        return closed
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    step = wizard.first_open_step(campaign, draft, "review") or "review"
    return redirect(wizard.step_url(campaign, step))


@_device_cookie
def wizard_step(request: HttpRequest, slug: str, step: str) -> HttpResponseBase:
    """Show or save one step of the wizard, after checking every earlier step again."""
    campaign = _campaign(slug)
    if step not in wizard.STEPS:
        raise Http404
    closed = _closed_page(request, campaign)
    if closed is not None:
        return closed
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    if draft is None and step != "code" and request.session.get(wizard.done_key(campaign)):
        return redirect("claims:done", slug=campaign.slug)
    missing = wizard.first_open_step(campaign, draft, step)
    if missing is not None:
        return redirect(wizard.step_url(campaign, missing))
    if step == "code":
        return _step_code(request, campaign, draft)
    # Every later step has a draft: first_open_step sent a browser without one to "code".
    assert draft is not None
    handlers = {"purchase": _step_purchase, "proof": _step_proof, "details": _step_details,
                "review": _step_review}
    return handlers[step](request, campaign, draft)


def _step_code(request: HttpRequest, campaign: Campaign,
               draft: ClaimDraft | None) -> HttpResponseBase:
    status = 200
    error_code = ""
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                rate_limit(scope="wizard-code", key=client_ip(request), limit=20, window=60)
                code = wizard.code_for_claim(campaign, form.cleaned_data["code"])
            except DomainError as exc:
                form.add_error("code", str(exc.message))
                error_code, status = exc.code, exc.status
            else:
                draft = wizard.draft_ensure(request, wizard.wizard_key(campaign), campaign)
                draft_update(draft=draft, step="code", values={"code": display(code.code)})
                return redirect(wizard.step_url(campaign, "purchase"))
        else:
            status = 422
    else:
        form = CodeForm(initial=(draft.data.get("code") if draft else None) or {})
    return render(request, "claims/wizard/code.html",
                  wizard_context(campaign, "code", form=form, error_code=error_code),
                  status=status)


def _purchase_page(request: HttpRequest, campaign: Campaign, form: PurchaseForm,
                   status: int = 200, quote: Any = None) -> HttpResponse:
    return render(request, "claims/wizard/purchase.html", wizard_context(
        campaign, "purchase", form=form, quote=quote, max_lines=MAX_LINES,
        retailers_by_country=form.retailers_by_country), status=status)


def _step_purchase(request: HttpRequest, campaign: Campaign,
                   draft: ClaimDraft) -> HttpResponseBase:
    if request.method != "POST":
        stored = draft.data.get("purchase") or {}
        initial = PurchaseForm.data_from(stored) if stored else {
            "country": visitor_country(request, campaign)}
        form = PurchaseForm(initial=initial, campaign=campaign,
                            lines=len(stored.get("lines") or []) or 1)
        quote = wizard.quote_for(campaign, stored) if stored else None
        return _purchase_page(request, campaign, form, quote=quote)
    count = PurchaseForm.line_count_of(request.POST)
    action = request.POST.get("action", "next")
    data = request.POST.dict()
    if action == "add_line" or action.startswith("remove_line:"):
        data, count = PurchaseForm.lines_edited(data, action, count)
        return _purchase_page(request, campaign,
                              PurchaseForm(initial=data, campaign=campaign, lines=count))
    form = PurchaseForm(request.POST, campaign=campaign, lines=count)
    valid = form.is_valid()
    quote = wizard.quote_for(campaign, form.partial_values())
    if valid and action == "next":
        draft_update(draft=draft, step="purchase", values=form.values())
        purchase_country_remember(request.session, form.values()["country"])
        return redirect(wizard.step_url(campaign, "proof"))
    if action == "quote":
        # "Update the estimate" without JavaScript: show the quote, keep what was typed.
        form = PurchaseForm(initial=data, campaign=campaign, lines=count)
        return _purchase_page(request, campaign, form, quote=quote)
    return _purchase_page(request, campaign, form, status=422, quote=quote)


@require_POST
def wizard_quote(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the live quote for the purchase step as it is being filled in."""
    campaign = _campaign(slug)
    form = PurchaseForm(request.POST, campaign=campaign,
                        lines=PurchaseForm.line_count_of(request.POST))
    form.is_valid()
    quote = wizard.quote_for(campaign, form.partial_values())
    return render(request, "claims/_quote.html", {"quote": quote})


def _step_proof(request: HttpRequest, campaign: Campaign,
                draft: ClaimDraft) -> HttpResponseBase:
    error = ""
    status = 200
    if request.method == "POST":
        if draft.files.exists():
            return redirect(wizard.step_url(campaign, "details"))
        error, status = _("Add at least one proof of purchase (receipt or invoice)."), 422
    return _proof_page(request, campaign, draft, error=error, status=status)


def _proof_page(request: HttpRequest, campaign: Campaign, draft: ClaimDraft,
                error: str = "", status: int = 200, upload_error: str = "",
                upload_code: str = "") -> HttpResponse:
    return render(request, "claims/wizard/proof.html", wizard_context(
        campaign, "proof", error=error, upload_error=upload_error, upload_code=upload_code,
        reading_url=reverse("claims:draft_files_reading", kwargs={"slug": campaign.slug}),
        **uploads.uploader_context(_staging(campaign), draft)), status=status)


@require_POST
def draft_file_add(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Add one vetted file to the session's draft (XHR answers JSON, a plain form redirects)."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    if draft is None or _closed_page(request, campaign) is not None:
        if uploads.is_xhr(request):
            return uploads.refusal_json(
                "no_draft", _("Your session has expired. Please start again."), 409)
        return redirect("claims:wizard", slug=campaign.slug)
    # Files are vetted (the costly part) only for a draft whose code and purchase pass.
    missing = wizard.first_open_step(campaign, draft, "proof")
    if missing is not None:
        if uploads.is_xhr(request):
            return uploads.refusal_json(
                "step_missing", _("Please enter a valid code and your purchase first."), 409)
        return redirect(wizard.step_url(campaign, missing))

    def refused(exc: UploadRefused | DomainError) -> HttpResponse:
        # Without JavaScript the step itself explains the refusal, with its HTTP status.
        return _proof_page(request, campaign, draft, upload_error=str(exc.message),
                           upload_code=exc.code, status=exc.status)

    return uploads.staged_add(request, _staging(campaign), draft, refused=refused)


def draft_file(request: HttpRequest, slug: str, file_id: UUID) -> HttpResponse:
    """Send a draft's file back to the browser that uploaded it, for the preview."""
    campaign = _campaign(slug)
    return uploads.staged_file(wizard.draft_of(request, wizard.wizard_key(campaign)), file_id)


@require_POST
def draft_file_remove(request: HttpRequest, slug: str, file_id: UUID) -> HttpResponseBase:
    """Remove one of the session draft's files; another draft's file is simply not found."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    return uploads.staged_remove(request, _staging(campaign), draft, file_id)


def draft_files_reading(request: HttpRequest, slug: str) -> HttpResponse:
    """Answer the proof step's script: the file list with what the readings found so far."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    if draft is None:
        return uploads.refusal_json(
            "no_draft", _("Your session has expired. Please start again."), 409)
    files = uploads.staged_rows(_staging(campaign), draft)
    html = render_to_string("claims/_files.html", {"files": files}, request=request)
    response = JsonResponse({"ok": True, "html": html, "pending": uploads.reading_pending(files)})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def draft_file_fill(request: HttpRequest, slug: str, file_id: UUID) -> HttpResponseBase:
    """Fill the purchase step with what one of the draft's receipts shows (still editable)."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    receipt = draft.files.filter(pk=file_id).first() if draft is not None else None
    if draft is None or receipt is None:
        raise Http404
    found = (receipt.draft_reading or {}).get("found") or {}
    draft_purchase_from_receipt(
        draft=draft, file_id=str(file_id),
        proposal=wizard.reading_proposal(campaign, draft.data.get("purchase") or {}, found))
    messages.success(request, _("We filled in the date, the shop and the price from your "
                                "receipt. You can still change them on the purchase step."))
    return redirect(wizard.step_url(campaign, "proof"))


def _step_details(request: HttpRequest, campaign: Campaign,
                  draft: ClaimDraft) -> HttpResponseBase:
    country = draft.data["purchase"]["country"]
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST, country=country)
        if form.is_valid():
            try:
                wizard.bank_check(campaign, country, form)
            except DomainError as exc:
                form.add_refusal(exc)
            else:
                draft_update(draft=draft, step="details",
                             values=wizard.details_seal(draft, form.values()))
                return redirect(wizard.step_url(campaign, "review"))
        status = 422
    else:
        form = DetailsForm(initial=wizard.details_open(draft), country=country)
    return render(request, "claims/wizard/details.html", wizard_context(
        campaign, "details", form=form, country_label=country_name(country)), status=status)


def _step_review(request: HttpRequest, campaign: Campaign,
                 draft: ClaimDraft) -> HttpResponseBase:
    version = terms_version(campaign)
    error: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, terms_version=version)
        if form.is_valid():
            code, person, purchase, bank = wizard.submission(draft)
            data = form.cleaned_data
            try:
                claim = claim_submit(
                    campaign=campaign, code=code, person=person, purchase=purchase, bank=bank,
                    declarations=DeclarationsIn(adult=data["adult"], end_user=data["end_user"],
                                                own_claim=data["own_claim"],
                                                terms_accepted=data["terms_accepted"]),
                    marketing_consent=data["marketing_consent"],
                    locale=(translation.get_language() or "en").split("-")[0],
                    draft=draft, device=wizard.device_of(request),
                )
            except DomainError as exc:
                error = submit_error(campaign, exc)
                status = exc.status
            else:
                request.session.pop(wizard.wizard_key(campaign), None)
                request.session[wizard.done_key(campaign)] = claim.reference
                return redirect("claims:done", slug=campaign.slug)
        else:
            status = 422
    else:
        form = ReviewForm(terms_version=version)
    return render(request, "claims/wizard/review.html", wizard_context(
        campaign, "review", form=form, summary=review_summary(campaign, draft),
        files=uploads.staged_rows(_staging(campaign), draft), terms_version=version,
        submit_error=error,
        terms=content_text((campaign.content.get("terms") or {}).get("text"), campaign)),
        status=status)


def wizard_done(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Confirm a submitted claim with its reference and the tracker link."""
    campaign = _campaign(slug)
    reference = request.session.get(wizard.done_key(campaign))
    if not reference:
        return redirect("claims:wizard", slug=campaign.slug)
    return render(request, "claims/wizard/done.html",
                  {"campaign": campaign, "reference": reference})
