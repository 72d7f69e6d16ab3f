"""Consumer pages of a claim: the wizard, the tracker and the missing-information answer."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rabatt.campaigns.models import Campaign, Product, Retailer
from rabatt.campaigns.selectors import campaign_get, campaign_rules
from rabatt.campaigns.views import content_text, visitor_country
from rabatt.claims import wizard
from rabatt.claims.forms import (
    MAX_LINES,
    AnswerForm,
    CodeForm,
    DetailsForm,
    PurchaseForm,
    ReviewForm,
    TrackForm,
    UploadForm,
)
from rabatt.claims.models import ClaimDraft, InfoReason
from rabatt.claims.selectors import claim_for_tracker, claim_public_status
from rabatt.claims.services import (
    BankIn,
    DeclarationsIn,
    bank_validate,
    claim_answer_info,
    claim_submit,
    draft_add_file,
    draft_remove_file,
    draft_update,
    info_token_claim,
    terms_version,
)
from rabatt.codes.alphabet import display
from rabatt.codes.services import code_lookup
from rabatt.core.errors import DomainError, NotFound
from rabatt.core.i18n import country_name
from rabatt.core.ratelimit import RateLimited, client_ip, rate_limit
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading.quality import readability_warnings
from rabatt.receipts.safety import MAX_FILES_PER_CLAIM, MAX_UPLOAD_BYTES, REFUSALS, UploadRefused
from rabatt.receipts.services import receipt_read, receipt_vet

STEP_TITLES = {
    "code": translation.gettext_lazy("Your code"),
    "purchase": translation.gettext_lazy("Purchase"),
    "proof": translation.gettext_lazy("Proof of purchase"),
    "details": translation.gettext_lazy("Your details"),
    "review": translation.gettext_lazy("Check and send"),
}


# -- helpers -----------------------------------------------------------------------------


def _campaign(slug: str) -> Campaign:
    try:
        return campaign_get(slug=slug)
    except NotFound:
        raise Http404 from None


def _is_xhr(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _closed_page(request: HttpRequest, campaign: Campaign) -> HttpResponse | None:
    """Explain why the wizard is not open, or return None when it is."""
    now = utcnow()
    if campaign.purchase_starts_at <= now < campaign.claims_end_before:
        return None
    return render(request, "claims/wizard/closed.html", {
        "campaign": campaign, "not_started": now < campaign.purchase_starts_at,
    })


def _wizard_context(campaign: Campaign, step: str, **extra: Any) -> dict[str, Any]:
    steps = [{"key": key, "title": STEP_TITLES[key], "number": i,
              "url": wizard.step_url(campaign, key)}
             for i, key in enumerate(wizard.STEPS, start=1)]
    return {"campaign": campaign, "step": step, "steps": steps,
            "step_number": wizard.STEPS.index(step) + 1, "step_count": len(wizard.STEPS),
            "step_title": STEP_TITLES[step], **extra}


def _readability_warnings(readability: Any) -> list[Promise]:
    """The warnings for a file measured as hard to read at upload (``ReceiptFile.readability``),
    in the language of this page rather than the one stored with the measurement. A file not
    measured yet, or measured by an older version, simply has none."""
    if not isinstance(readability, dict):
        return []
    return list(readability_warnings(blurry=readability.get("blurry") is True,
                                     low_contrast=readability.get("low_contrast") is True))


def _file_list(files: list[ReceiptFile], view: str, remove: str,
               kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of claims/_files.html: the wizard's description of each file, plus its
    readability warnings (a warning only advises: the file can still be sent)."""
    rows = wizard.file_rows(files, view, remove, kwargs)
    for receipt, row in zip(files, rows, strict=True):
        row["warnings"] = _readability_warnings(getattr(receipt, "readability", None))
    return rows


def _wizard_files(campaign: Campaign, draft: ClaimDraft | None) -> list[dict[str, Any]]:
    files = list(draft.files.all()) if draft is not None else []
    return _file_list(files, "claims:draft_file", "claims:draft_file_remove",
                      {"slug": campaign.slug})


def _serve_file(receipt: ReceiptFile, draft: ClaimDraft) -> HttpResponse:
    data = receipt_read(receipt=receipt, draft_key=bytes(draft.wrapped_key))
    response = HttpResponse(data, content_type=receipt.content_type)
    response["Content-Disposition"] = content_disposition_header(
        False, receipt.display_name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _vet_upload(request: HttpRequest) -> Any:
    """Vet the one uploaded file of a request; raises UploadRefused."""
    form = UploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or upload is None:
        raise UploadRefused("no_file", _("Choose a file first."), 422)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        status, message = REFUSALS["file_too_large"]
        raise UploadRefused("file_too_large", message, status)
    return receipt_vet(data=upload.read(), name=upload.name or "",
                       content_type=upload.content_type or "")


def _upload_answer(request: HttpRequest, files: list[dict[str, Any]],
                   message: str) -> JsonResponse:
    html = render_to_string("claims/_files.html", {"files": files}, request=request)
    return JsonResponse({"ok": True, "html": html, "message": message, "count": len(files)})


def _refusal_json(code: str, message: Any, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "message": str(message)}, status=status)


# -- the wizard ----------------------------------------------------------------------------


def wizard_start(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Send the browser to the first step it has not completed."""
    campaign = _campaign(slug)
    closed = _closed_page(request, campaign)
    if closed is not None:
        return closed
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    step = wizard.first_open_step(campaign, draft, "review") or "review"
    return redirect(wizard.step_url(campaign, step))


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
    handlers = {"code": _step_code, "purchase": _step_purchase, "proof": _step_proof,
                "details": _step_details, "review": _step_review}
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
                code = code_lookup(campaign=campaign, text=form.cleaned_data["code"])
                if code.channel != "retailer":
                    raise DomainError(_("This code is a discount code for the brand's shop, "
                                        "not for cashback."), code="code_wrong_channel")
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
                  _wizard_context(campaign, "code", form=form, error_code=error_code),
                  status=status)


def _purchase_values(form: PurchaseForm) -> dict[str, Any]:
    data = getattr(form, "cleaned_data", {})
    return {"country": data.get("country", ""), "retailer": data.get("retailer", ""),
            "purchased_on": data.get("purchased_on"), "lines": data.get("lines", [])}


def _line_count(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.POST.get("lines", "1")), MAX_LINES))
    except ValueError:
        return 1


def _without_line(data: dict[str, Any], index: int, count: int) -> dict[str, Any]:
    """Drop row ``index`` of the product lines, moving later rows up."""
    shifted = {k: v for k, v in data.items() if not k.startswith(("product_", "price_",
                                                                  "quantity_"))}
    target = 0
    for i in range(count):
        if i == index:
            continue
        for name in ("product", "price", "quantity"):
            shifted[f"{name}_{target}"] = data.get(f"{name}_{i}", "")
        target += 1
    return shifted


def _purchase_page(request: HttpRequest, campaign: Campaign, form: PurchaseForm,
                   status: int = 200, quote: Any = None) -> HttpResponse:
    return render(request, "claims/wizard/purchase.html", _wizard_context(
        campaign, "purchase", form=form, quote=quote, max_lines=MAX_LINES,
        retailers_by_country=form.retailers_by_country), status=status)


def _step_purchase(request: HttpRequest, campaign: Campaign,
                   draft: ClaimDraft | None) -> HttpResponseBase:
    assert draft is not None
    if request.method != "POST":
        stored = draft.data.get("purchase") or {}
        initial = PurchaseForm.data_from(stored) if stored else {
            "country": visitor_country(request, campaign)}
        form = PurchaseForm(initial=initial, campaign=campaign,
                            lines=len(stored.get("lines") or []) or 1)
        quote = wizard.quote_for(campaign, stored) if stored else None
        return _purchase_page(request, campaign, form, quote=quote)
    count = _line_count(request)
    action = request.POST.get("action", "next")
    data = request.POST.dict()
    if action == "add_line" or action.startswith("remove_line:"):
        if action == "add_line":
            count = min(count + 1, MAX_LINES)
        else:
            index = int(action.split(":", 1)[1]) if action[12:].isdigit() else -1
            if 0 <= index < count and count > 1:
                data = _without_line(data, index, count)
                count -= 1
        return _purchase_page(request, campaign,
                              PurchaseForm(initial=data, campaign=campaign, lines=count))
    form = PurchaseForm(request.POST, campaign=campaign, lines=count)
    valid = form.is_valid()
    quote = wizard.quote_for(campaign, _purchase_values(form))
    if valid and action == "next":
        draft_update(draft=draft, step="purchase", values=form.values())
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
    form = PurchaseForm(request.POST, campaign=campaign, lines=_line_count(request))
    form.is_valid()
    quote = wizard.quote_for(campaign, _purchase_values(form))
    return render(request, "claims/_quote.html", {"quote": quote})


def _step_proof(request: HttpRequest, campaign: Campaign,
                draft: ClaimDraft | None) -> HttpResponseBase:
    assert draft is not None
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
    return render(request, "claims/wizard/proof.html", _wizard_context(
        campaign, "proof", files=_wizard_files(campaign, draft), error=error,
        upload_error=upload_error, upload_code=upload_code, max_files=MAX_FILES_PER_CLAIM,
        upload_url=reverse("claims:draft_file_add", kwargs={"slug": campaign.slug}),
        upload_form=UploadForm()),
        status=status)


@require_POST
def draft_file_add(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Add one vetted file to the session's draft (XHR answers JSON, a plain form redirects)."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    if draft is None or _closed_page(request, campaign) is not None:
        if _is_xhr(request):
            return _refusal_json("no_draft", _("Your session has expired. Please start again."),
                                 409)
        return redirect("claims:wizard", slug=campaign.slug)
    try:
        safe = _vet_upload(request)
        receipt = draft_add_file(draft=draft, safe=safe)
    except UploadRefused as refusal:
        if _is_xhr(request):
            return _refusal_json(refusal.code, refusal.message, refusal.status)
        return _proof_page(request, campaign, draft, upload_error=str(refusal.message),
                           upload_code=refusal.code, status=refusal.status)
    except DomainError as exc:
        if _is_xhr(request):
            return _refusal_json(exc.code, exc.message, exc.status)
        return _proof_page(request, campaign, draft, upload_error=str(exc.message),
                           upload_code=exc.code, status=exc.status)
    message = _("%(name)s was added.") % {"name": receipt.display_name}
    if _is_xhr(request):
        return _upload_answer(request, _wizard_files(campaign, draft), message)
    messages.success(request, message)
    return redirect(wizard.step_url(campaign, "proof"))


def draft_file(request: HttpRequest, slug: str, file_id: UUID) -> HttpResponse:
    """Send a draft's file back to the browser that uploaded it, for the preview."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    receipt = draft.files.filter(pk=file_id).first() if draft is not None else None
    if draft is None or receipt is None:
        raise Http404
    return _serve_file(receipt, draft)


@require_POST
def draft_file_remove(request: HttpRequest, slug: str, file_id: UUID) -> HttpResponseBase:
    """Remove one of the session draft's files; another draft's file is simply not found."""
    campaign = _campaign(slug)
    draft = wizard.draft_of(request, wizard.wizard_key(campaign))
    if draft is None:
        raise Http404
    receipt = draft.files.filter(pk=file_id).first()
    try:
        draft_remove_file(draft=draft, file_id=str(file_id))
    except NotFound:
        if _is_xhr(request):
            return _refusal_json("not_found", _("No such file."), 404)
        raise Http404 from None
    message = _("%(name)s was removed.") % {"name": receipt.display_name if receipt else ""}
    if _is_xhr(request):
        return _upload_answer(request, _wizard_files(campaign, draft), message)
    messages.success(request, message)
    return redirect(wizard.step_url(campaign, "proof"))


def _step_details(request: HttpRequest, campaign: Campaign,
                  draft: ClaimDraft | None) -> HttpResponseBase:
    assert draft is not None
    country = draft.data["purchase"]["country"]
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST, country=country)
        if form.is_valid():
            currency = campaign_rules(campaign=campaign).currencies[country]
            try:
                bank_validate(country=country, currency=currency, bank=BankIn(
                    account_holder=form.cleaned_data["account_holder"],
                    fields=form.bank_values()))
            except DomainError as exc:
                _attach(form, exc)
            else:
                draft_update(draft=draft, step="details",
                             values=wizard.details_seal(draft, form.values()))
                return redirect(wizard.step_url(campaign, "review"))
        status = 422
    else:
        form = DetailsForm(initial=wizard.details_open(draft), country=country)
    return render(request, "claims/wizard/details.html", _wizard_context(
        campaign, "details", form=form, country=country, country_label=country_name(country)),
        status=status)


def _attach(form: Any, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    placed = False
    for key in exc.fields or {}:
        name = str(key).split(".")[-1]
        if name in form.fields:
            form.add_error(name, str(exc.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _review_summary(campaign: Campaign, draft: ClaimDraft) -> dict[str, Any]:
    purchase = draft.data["purchase"]
    products = {p.code: str(p) for p in Product.objects.filter(campaign=campaign)}
    retailer = Retailer.objects.filter(campaign=campaign, code=purchase["retailer"]).first()
    details = wizard.details_open(draft)
    bank_names = DetailsForm(country=purchase["country"]).bank_fields
    form = DetailsForm(country=purchase["country"])
    return {
        "code": draft.data["code"]["code"],
        "country": country_name(purchase["country"]),
        "retailer": retailer.name if retailer else purchase["retailer"],
        "purchased_on": date.fromisoformat(purchase["purchased_on"]),
        "order_number": purchase.get("order_number", ""),
        "lines": [{"product": products.get(line["product"], line["product"]),
                   "price": line["price"], "quantity": line["quantity"]}
                  for line in purchase.get("lines") or []],
        "quote": wizard.quote_for(campaign, purchase),
        "details": details,
        "bank": [(form.fields[n].label, _choice_label(form, n, details[n]))
                 for n in bank_names if details.get(n)],
    }


def _choice_label(form: DetailsForm, name: str, value: Any) -> str:
    choices = getattr(form.fields[name], "choices", None)
    return str(dict(choices).get(value, value)) if choices else str(value)


def _step_review(request: HttpRequest, campaign: Campaign,
                 draft: ClaimDraft | None) -> HttpResponseBase:
    assert draft is not None
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
                    draft=draft,
                )
            except DomainError as exc:
                error = _submit_error(campaign, exc)
                status = exc.status
            else:
                request.session.pop(wizard.wizard_key(campaign), None)
                request.session[wizard.done_key(campaign)] = claim.reference
                return redirect("claims:done", slug=campaign.slug)
        else:
            status = 422
    else:
        form = ReviewForm(terms_version=version)
    return render(request, "claims/wizard/review.html", _wizard_context(
        campaign, "review", form=form, summary=_review_summary(campaign, draft),
        files=_wizard_files(campaign, draft), terms_version=version, submit_error=error,
        terms=content_text((campaign.content.get("terms") or {}).get("text"))),
        status=status)


def _submit_error(campaign: Campaign, exc: DomainError) -> dict[str, Any]:
    """Say what went wrong on submission and which step to change."""
    fields = exc.fields or {}
    keys = " ".join(str(k) for k in fields)
    step = ("code" if exc.code.startswith("code") or "code" in fields
            else "proof" if "files" in fields
            else "details" if "person." in keys or "bank." in keys or exc.code.startswith(
                ("iban", "bic", "bsb", "aba", "account", "institution", "transit"))
            else "purchase" if "purchase." in keys or exc.code == "not_eligible"
            else "")
    reasons = [r.get("message", "") for r in fields.get("reasons", [])
               if isinstance(r, dict)] if isinstance(fields.get("reasons"), list) else []
    return {"message": str(exc.message), "reasons": reasons, "code": exc.code,
            "step_url": wizard.step_url(campaign, step) if step else "",
            "step_title": STEP_TITLES[step] if step else ""}


def wizard_done(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Confirm a submitted claim with its reference and the tracker link."""
    campaign = _campaign(slug)
    reference = request.session.get(wizard.done_key(campaign))
    if not reference:
        return redirect("claims:wizard", slug=campaign.slug)
    return render(request, "claims/wizard/done.html",
                  {"campaign": campaign, "reference": reference})


# -- the tracker ---------------------------------------------------------------------------

PROGRESS = ("submitted", "in_review", "approved", "paid")


def track(request: HttpRequest) -> HttpResponse:
    """Look a claim up by its reference and e-mail address (rate-limited)."""
    status = None
    error = None
    code = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                rate_limit(scope="track-ip", key=client_ip(request), limit=30, window=60)
                rate_limit(scope="track-ref", key=form.cleaned_data["reference"].upper(),
                           limit=10, window=600)
                claim = claim_for_tracker(reference=form.cleaned_data["reference"],
                                          email=form.cleaned_data["email"])
                status = claim_public_status(claim=claim)
            except RateLimited as exc:
                error, code = exc.message, 429
            except DomainError as exc:
                error = exc.message
        else:
            code = 422
    else:
        form = TrackForm(initial={"reference": request.GET.get("reference", "")})
    progress = []
    if status is not None:
        reached = PROGRESS.index(status["status"]) if status["status"] in PROGRESS else -1
        progress = [{"key": key, "label": label, "done": i <= reached,
                     "current": i == reached} for i, (key, label) in enumerate(
                         zip(PROGRESS, (_("Submitted"), _("In review"), _("Approved"), _("Paid")),
                             strict=True))]
    return render(request, "claims/track.html",
                  {"form": form, "status": status, "error": error, "progress": progress},
                  status=code)


# -- the missing-information answer --------------------------------------------------------


def _answer_key(token: str) -> str:
    return wizard.session_key("answer-draft", token_hash(token)[:24])


def _answer_files(token: str, draft: ClaimDraft | None) -> list[dict[str, Any]]:
    files = list(draft.files.all()) if draft is not None else []
    return _file_list(files, "claims:answer_file", "claims:answer_file_remove",
                      {"token": token})


def _answer_claim(request: HttpRequest, token: str) -> Any:
    try:
        return info_token_claim(token=token)
    except DomainError as exc:
        return render(request, "claims/answer_invalid.html", {"error": exc.message}, status=404)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Let the consumer answer a request for information: documents, corrections, a message."""
    found = _answer_claim(request, token)
    if isinstance(found, HttpResponse):
        return found
    claim, row = found
    draft = wizard.draft_of(request, _answer_key(token))
    current = {k: getattr(claim, k) for k in AnswerForm.CORRECTABLE}
    error = ""
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            staged = list(draft.files.all()) if draft is not None else []
            try:
                uploads = [receipt_vet(
                    data=receipt_read(receipt=f, draft_key=bytes(draft.wrapped_key)),
                    name=f.display_name, content_type=f.content_type)
                    for f in staged if draft is not None]
                claim = claim_answer_info(token=token, message=form.cleaned_data["message"],
                                          uploads=uploads,
                                          corrections=form.corrections(current))
            except (UploadRefused, DomainError) as exc:
                error, status = str(exc.message), getattr(exc, "status", 422)
            else:
                for f in staged:
                    if draft is not None:
                        draft_remove_file(draft=draft, file_id=str(f.id))
                request.session.pop(_answer_key(token), None)
                return render(request, "claims/answer_done.html", {"claim": claim})
        else:
            status = 422
    else:
        form = AnswerForm(initial=current)
    reasons = [InfoReason(r).label for r in row.event.reasons if r in InfoReason.values]
    return render(request, "claims/answer.html", {
        "claim": claim, "request_event": row.event, "reasons": reasons, "form": form,
        "error": error, "files": _answer_files(token, draft), "token": token,
        "upload_url": reverse("claims:answer_file_add", kwargs={"token": token}),
        "upload_form": UploadForm(),
        "max_files": MAX_FILES_PER_CLAIM,
    }, status=status)


@require_POST
def answer_file_add(request: HttpRequest, token: str) -> HttpResponseBase:
    """Stage one document for the answer, in a draft only this browser session owns."""
    found = _answer_claim(request, token)
    if isinstance(found, HttpResponse):
        return (_refusal_json("link_invalid", _("This link is not valid any more."), 404)
                if _is_xhr(request) else found)
    claim, _row = found
    draft = wizard.draft_ensure(request, _answer_key(token), claim.campaign)
    try:
        safe = _vet_upload(request)
        if claim.files.count() + draft.files.count() >= MAX_FILES_PER_CLAIM:
            raise DomainError(_("Please upload at most %(n)s files.") % {"n": MAX_FILES_PER_CLAIM},
                              code="too_many_files")
        receipt = draft_add_file(draft=draft, safe=safe)
    except (UploadRefused, DomainError) as exc:
        code = exc.code
        if _is_xhr(request):
            return _refusal_json(code, exc.message, exc.status)
        messages.error(request, str(exc.message))
        return redirect("claims:answer", token=token)
    message = _("%(name)s was added.") % {"name": receipt.display_name}
    if _is_xhr(request):
        return _upload_answer(request, _answer_files(token, draft), message)
    messages.success(request, message)
    return redirect("claims:answer", token=token)


def answer_file(request: HttpRequest, token: str, file_id: UUID) -> HttpResponse:
    draft = wizard.draft_of(request, _answer_key(token))
    receipt = draft.files.filter(pk=file_id).first() if draft is not None else None
    if draft is None or receipt is None:
        raise Http404
    return _serve_file(receipt, draft)


@require_POST
def answer_file_remove(request: HttpRequest, token: str, file_id: UUID) -> HttpResponseBase:
    draft = wizard.draft_of(request, _answer_key(token))
    if draft is None:
        raise Http404
    receipt = draft.files.filter(pk=file_id).first()
    try:
        draft_remove_file(draft=draft, file_id=str(file_id))
    except NotFound:
        raise Http404 from None
    message = _("%(name)s was removed.") % {"name": receipt.display_name if receipt else ""}
    if _is_xhr(request):
        return _upload_answer(request, _answer_files(token, draft), message)
    messages.success(request, message)
    return redirect("claims:answer", token=token)

