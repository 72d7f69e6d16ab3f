"""Staged uploads for the wizard's proof step and the answer page: add, list, serve, remove."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from rabatt.claims.forms import UploadForm
from rabatt.claims.models import ClaimDraft
from rabatt.claims.services import draft_add_file, draft_remove_file
from rabatt.core.errors import DomainError, NotFound
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading.quality import readability_warnings
from rabatt.receipts.safety import (
    MAX_FILES_PER_CLAIM,
    MAX_UPLOAD_BYTES,
    REFUSALS,
    SafeFile,
    UploadRefused,
)
from rabatt.receipts.services import receipt_read, receipt_vet

Stage = Callable[[SafeFile], ReceiptFile]
Refused = Callable[[UploadRefused | DomainError], HttpResponseBase]
# What the background reading of a draft's file found, for the page (None: nothing to tell).
Reading = Callable[[ClaimDraft, ReceiptFile], dict[str, Any] | None]


@dataclass(frozen=True)
class Staging:
    """Name the routes of one page's staged files and the page a plain form returns to."""

    route: str  # serves one file; "<route>_add" adds one and "<route>_remove" removes one
    kwargs: dict[str, Any]  # the page's own URL arguments (the campaign slug, the answer token)
    page_url: str
    reading: Reading | None = None

    def url(self, suffix: str = "", file_id: UUID | None = None) -> str:
        """Return the URL of this page's file route ``suffix`` ("", "_add" or "_remove")."""
        kwargs = self.kwargs if file_id is None else {**self.kwargs, "file_id": file_id}
        return reverse(self.route + suffix, kwargs=kwargs)


def is_xhr(request: HttpRequest) -> bool:
    """Say whether the request comes from the page's script rather than a plain form."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def refusal_json(code: str, message: str | Promise, status: int) -> JsonResponse:
    """Answer the page's script with a refusal it can show as it is."""
    return JsonResponse({"ok": False, "code": code, "message": str(message)}, status=status)


def file_warnings(readability: Any) -> list[Promise]:
    """Return the readability warnings of a stored measurement, in the page's language."""
    # The stored measurement holds flags, not messages, so a page in another language than
    # the upload's still speaks its own; a file not measured (or measured by an older version)
    # has no warnings.
    if not isinstance(readability, dict):
        return []
    return list(readability_warnings(blurry=readability.get("blurry") is True,
                                     low_contrast=readability.get("low_contrast") is True))


def file_rows(staging: Staging, files: list[ReceiptFile],
              draft: ClaimDraft | None = None) -> list[dict[str, Any]]:
    """Describe files for ``claims/_files.html``, each with its readability warnings."""
    return [{
        "id": str(f.id), "name": f.display_name, "size": f.size,
        "is_pdf": f.content_type == "application/pdf", "pages": f.page_count,
        "view_url": staging.url(file_id=f.id), "remove_url": staging.url("_remove", f.id),
        "warnings": file_warnings(f.readability),
        "reading": (staging.reading(draft, f)
                    if staging.reading is not None and draft is not None else None),
    } for f in files]


def staged_rows(staging: Staging, draft: ClaimDraft | None) -> list[dict[str, Any]]:
    """Describe the files staged in ``draft`` (none without a draft)."""
    return file_rows(staging, list(draft.files.all()) if draft is not None else [], draft)


def reading_pending(rows: list[dict[str, Any]]) -> bool:
    """Say whether any file is still being read (the page asks again until none is)."""
    return any((row.get("reading") or {}).get("pending") for row in rows)


def uploader_context(staging: Staging, draft: ClaimDraft | None) -> dict[str, Any]:
    """Return what ``claims/_uploader.html`` needs: the list, the upload URL and the limit."""
    files = staged_rows(staging, draft)
    return {"files": files, "upload_url": staging.url("_add"),
            "max_files": MAX_FILES_PER_CLAIM, "reading_pending": reading_pending(files)}


def upload_vet(request: HttpRequest) -> SafeFile:
    """Vet the one file a request uploads; raises UploadRefused."""
    form = UploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or upload is None:
        raise UploadRefused("no_file", _("Choose a file first."), 422)
    # The size Django measured while receiving the file is enough to refuse it, without
    # reading an oversized file into memory first.
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        status, message = REFUSALS["file_too_large"]
        raise UploadRefused("file_too_large", message, status)
    return receipt_vet(data=upload.read(), name=upload.name or "",
                       content_type=upload.content_type or "")


def staged_add(request: HttpRequest, staging: Staging, draft: ClaimDraft, *,
               stage: Stage | None = None, refused: Refused | None = None) -> HttpResponseBase:
    """Vet the request's file and stage it with ``stage`` (default: add it to ``draft``)."""
    try:
        safe = upload_vet(request)
        receipt = stage(safe) if stage is not None else draft_add_file(draft=draft, safe=safe)
    except (UploadRefused, DomainError) as exc:
        if is_xhr(request):
            return refusal_json(exc.code, exc.message, exc.status)
        if refused is not None:
            return refused(exc)
        messages.error(request, str(exc.message))
        return redirect(staging.page_url)
    return _changed(request, staging, draft,
                    _("%(name)s was added.") % {"name": receipt.display_name})


def staged_remove(request: HttpRequest, staging: Staging, draft: ClaimDraft | None,
                  file_id: UUID) -> HttpResponseBase:
    """Remove one of the draft's files; another draft's file is simply not found."""
    if draft is None:
        raise Http404
    receipt = draft.files.filter(pk=file_id).first()
    try:
        draft_remove_file(draft=draft, file_id=str(file_id))
    except NotFound as exc:
        if is_xhr(request):
            return refusal_json(exc.code, exc.message, exc.status)
        raise Http404 from None
    name = receipt.display_name if receipt is not None else ""
    return _changed(request, staging, draft, _("%(name)s was removed.") % {"name": name})


def staged_file(draft: ClaimDraft | None, file_id: UUID) -> HttpResponse:
    """Send a staged file back to the session owning its draft, safe to show inline."""
    receipt = draft.files.filter(pk=file_id).first() if draft is not None else None
    if draft is None or receipt is None:
        raise Http404
    data = receipt_read(receipt=receipt, draft_key=bytes(draft.wrapped_key))
    response = HttpResponse(data, content_type=receipt.content_type)
    response["Content-Disposition"] = content_disposition_header(
        False, receipt.display_name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _changed(request: HttpRequest, staging: Staging, draft: ClaimDraft,
             message: str) -> HttpResponseBase:
    if is_xhr(request):
        files = staged_rows(staging, draft)
        html = render_to_string("claims/_files.html", {"files": files}, request=request)
        return JsonResponse({"ok": True, "html": html, "message": message,
                             "count": len(files), "pending": reading_pending(files)})
    messages.success(request, message)
    return redirect(staging.page_url)
