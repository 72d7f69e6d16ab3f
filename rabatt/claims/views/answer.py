"""The missing-information answer: documents, corrections and a message, through a one-time link."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rabatt.claims import uploads, wizard
from rabatt.claims.forms import AnswerForm
from rabatt.claims.models import ClaimStatus
from rabatt.claims.presenters import info_reasons
from rabatt.claims.services import (
    answer_file_stage,
    claim_answer_info_staged,
    info_token_claim,
)
from rabatt.claims.views.bank import in_claim_language
from rabatt.core.errors import DomainError
from rabatt.core.tokens import token_hash
from rabatt.receipts.safety import UploadRefused


def _draft_key(token: str) -> str:
    # The session remembers the draft by the token's hash, so the session never holds the link.
    return wizard.session_key("answer-draft", token_hash(token)[:24])


def _staging(token: str) -> uploads.Staging:
    return uploads.Staging(route="claims:answer_file", kwargs={"token": token},
                           page_url=reverse("claims:answer", kwargs={"token": token}))


def _invalid(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "claims/answer_invalid.html", {"error": exc.message}, status=404)


def answer(request: HttpRequest, token: str) -> HttpResponseBase:
    """Let the consumer answer a request for information: documents, corrections, a message."""
    try:
        claim, row = info_token_claim(token=token)
    except DomainError as exc:
        return _invalid(request, exc)
    if claim.status == ClaimStatus.PAYMENT_FAILED:
        # Links e-mailed before the bank page existed pointed here.
        return redirect("claims:new_bank", token=token)
    in_claim_language(request, claim)
    draft = wizard.draft_of(request, _draft_key(token))
    current = AnswerForm.current(claim)
    error = ""
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                claim = claim_answer_info_staged(
                    token=token, draft=draft, message=form.cleaned_data["message"],
                    corrections=form.corrections(current))
            except (UploadRefused, DomainError) as exc:
                error, status = str(exc.message), exc.status
            else:
                request.session.pop(_draft_key(token), None)
                return render(request, "claims/answer_done.html", {"claim": claim})
        else:
            status = 422
    else:
        form = AnswerForm(initial=current)
    return render(request, "claims/answer.html", {
        "claim": claim, "request_event": row.event, "reasons": info_reasons(row.event),
        "form": form, "error": error,
        **uploads.uploader_context(_staging(token), draft),
    }, status=status)


@require_POST
def answer_file_add(request: HttpRequest, token: str) -> HttpResponseBase:
    """Stage one document for the answer, in a draft only this browser session owns."""
    try:
        claim, _row = info_token_claim(token=token)
    except DomainError as exc:
        if uploads.is_xhr(request):
            return uploads.refusal_json("link_invalid", _("This link is not valid any more."),
                                        404)
        return _invalid(request, exc)
    draft = wizard.draft_ensure(request, _draft_key(token), claim.campaign)
    return uploads.staged_add(
        request, _staging(token), draft,
        stage=lambda safe: answer_file_stage(claim=claim, draft=draft, safe=safe))


def answer_file(request: HttpRequest, token: str, file_id: UUID) -> HttpResponse:
    """Send a staged document back to the browser that uploaded it, for the preview."""
    return uploads.staged_file(wizard.draft_of(request, _draft_key(token)), file_id)


@require_POST
def answer_file_remove(request: HttpRequest, token: str, file_id: UUID) -> HttpResponseBase:
    """Remove one staged document; another session's document is simply not found."""
    draft = wizard.draft_of(request, _draft_key(token))
    return uploads.staged_remove(request, _staging(token), draft, file_id)
