"""API endpoints: privacy requests (access, erasure, rectification, restriction, objection).

``POST /privacy/requests`` always answers 202 with the same body, whether or not we know the
address: the link goes to the address, so only its owner learns anything.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from rabatt.api.campaigns import ErrorOut
from rabatt.privacy.requests import access_request_export, privacy_request_confirm
from rabatt.privacy.views import request_start

router = Router(tags=["privacy"])
ACCEPTED = "If we hold data about this address, we have e-mailed it a link to confirm the " \
           "request. The link works once, for 24 hours."


class RequestIn(Schema):
    email: str = Field(max_length=254)
    kind: Literal["access", "erasure", "rectification", "restriction", "objection"]

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid e-mail address") from None
        return value


class AcceptedOut(Schema):
    status: str
    message: str


class ConfirmOut(Schema):
    kind: str
    status: str
    done: dict[str, Any] | None = None
    due_at: str | None = None
    message: str | None = None


@router.post("/privacy/requests", response={202: AcceptedOut, 422: ErrorOut, 429: ErrorOut})
def privacy_request(request: HttpRequest, payload: RequestIn) -> Status[Any]:
    """Ask for a copy, a correction, erasure, restriction or to object; confirmed by e-mail."""
    request_start(request=request, email=payload.email, kind=payload.kind)
    return Status(202, {"status": "accepted", "message": ACCEPTED})


@router.get("/privacy/requests/{token}/export",
            response={200: None, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut})
def privacy_request_export(request: HttpRequest, token: str) -> HttpResponse:
    """The ZIP of an access request (data.json and the uploaded files); works once."""
    name, data = access_request_export(token=token)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # bank details inside
    return response


@router.post("/privacy/requests/{token}/confirm",
             response={200: ConfirmOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut})
def privacy_request_confirm_api(request: HttpRequest, token: str) -> dict[str, Any]:
    """Carry out an erasure, restriction or objection; returns what was done."""
    return privacy_request_confirm(token=token)
