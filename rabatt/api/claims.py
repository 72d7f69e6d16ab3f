"""Claim submission for headless integrations, and the public claim tracker."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, ValidationError, field_validator

from rabatt.api.campaigns import ErrorOut
from rabatt.api.errors import field_errors
from rabatt.campaigns.rules import PurchaseLine
from rabatt.campaigns.selectors import campaign_get
from rabatt.claims.selectors import claim_for_tracker, claim_public_status
from rabatt.claims.services import (
    BankIn,
    DeclarationsIn,
    PersonIn,
    PurchaseIn,
    RawUpload,
    claim_submit,
    tracker_attempt_count,
)
from rabatt.core.errors import DomainError
from rabatt.core.i18n import LanguageCode, active_language, language_code_clean
from rabatt.core.idempotency import idempotent_answer, idempotent_record
from rabatt.core.ratelimit import client_ip, rate_limit
from rabatt.core.text import SINGLE_LINE_PATTERN
from rabatt.receipts.safety import MAX_FILES_PER_CLAIM, MAX_UPLOAD_BYTES, REFUSALS, UploadRefused

router = Router(tags=["claims"])
SCOPE = "claims"


class AddressIn(Schema):
    line1: str = Field(min_length=1, max_length=200, pattern=SINGLE_LINE_PATTERN)
    line2: str | None = Field(None, max_length=200, pattern=SINGLE_LINE_PATTERN)
    postcode: str = Field("", max_length=20, pattern=SINGLE_LINE_PATTERN,
                          description="Required except in Ireland (Eircode)")
    city: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE_PATTERN)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")


class PersonSchema(Schema):
    first_name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE_PATTERN)
    last_name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE_PATTERN)
    email: str = Field(max_length=254)
    phone: str | None = Field(None, max_length=40, pattern=SINGLE_LINE_PATTERN)
    address: AddressIn

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid e-mail address") from None
        return value


class LineIn(Schema):
    product: str = Field(min_length=1, max_length=80)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    quantity: int = Field(1, ge=1, le=100)


class PurchaseSchema(Schema):
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    channel: Literal["retailer"] = "retailer"
    retailer: str = Field(min_length=1, max_length=80)
    purchased_at: AwareDatetime
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    order_number: str | None = Field(None, max_length=100)


class BankSchema(Schema):
    account_holder: str = Field(min_length=1, max_length=140, pattern=SINGLE_LINE_PATTERN)
    iban: str | None = Field(None, max_length=50)
    bic: str | None = Field(None, max_length=11)
    account_number: str | None = Field(None, max_length=34)
    bank_code: str | None = Field(None, max_length=20)
    bsb: str | None = Field(None, max_length=10)
    routing_number: str | None = Field(None, max_length=12)
    institution_number: str | None = Field(None, max_length=5)
    transit_number: str | None = Field(None, max_length=7)
    account_type: Literal["checking", "savings"] | None = None


class DeclarationsSchema(Schema):
    adult: bool
    end_user: bool
    own_claim: bool
    terms_accepted: bool


class ClaimIn(Schema):
    campaign: str = Field(min_length=1, max_length=80)
    code: str = Field(min_length=1, max_length=64)
    locale: LanguageCode | None = Field(None, description="Default: the Accept-Language")
    person: PersonSchema
    purchase: PurchaseSchema
    bank: BankSchema
    declarations: DeclarationsSchema
    marketing_consent: bool = False

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, value: Any) -> Any:
        return language_code_clean(value)


class ClaimCreatedOut(Schema):
    reference: str
    status: str
    amount: Decimal
    currency: str


class TrackIn(Schema):
    reference: str = Field(min_length=1, max_length=40)
    email: str = Field(min_length=3, max_length=254)


class HistoryOut(Schema):
    at: datetime
    status: str
    label: str


class NextStepOut(Schema):
    code: str
    message: str
    due_at: datetime | None = None


class TrackOut(Schema):
    reference: str
    status: str
    status_label: str
    submitted_at: datetime
    amount: Decimal
    currency: str
    decided_automatically: bool
    history: list[HistoryOut]
    next_step: NextStepOut


def _error(code: str, message: str, status: int, **extra: Any) -> Status[Any]:
    return Status(status, {"code": code, "message": message, **extra})


@router.post(
    "/claims",
    response={201: ClaimCreatedOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
              415: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="Submit a cashback claim with its proof of purchase",
    exclude_none=True,
    description=(
        "`multipart/form-data` with a part `claim` (JSON, see ClaimIn) and one or more parts "
        "`files` (PDF or JPEG, at most 2 MiB each). An `Idempotency-Key` header makes a retry "
        "return the first answer and create nothing new. A campaign past its claim deadline "
        "answers 422 `not_eligible` (reason `claim_after_deadline`); a paused campaign answers "
        "409 `campaign_paused` and creates nothing: retry when it resumes."
    ),
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["claim", "files"],
        "properties": {
            "claim": {"type": "string", "description": "JSON document: ClaimIn"},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        }}}}, "required": True}},
)
def claim_create(request: HttpRequest) -> Status[Any]:
    rate_limit(scope="claims-ip", key=client_ip(request), limit=60, window=60)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_FILES_PER_CLAIM * MAX_UPLOAD_BYTES + 1024 * 1024:
        return _error("request_too_large", _("The request is too large."), 413)
    if not (request.content_type or "").startswith("multipart/form-data"):
        return _error("unsupported_media_type",
                      _("Send multipart/form-data with a part 'claim' and parts 'files'."), 415)
    raw = request.POST.get("claim")
    claim_file = request.FILES.get("claim")
    if raw is None and claim_file is not None:
        raw = claim_file.read().decode("utf-8", "replace")
    if not raw:
        return _error("invalid_input", _("The part 'claim' (JSON) is missing."), 422,
                      detail=[{"field": "claim", "message": _("This field is required."),
                               "type": "missing"}])
    try:
        document = json.loads(raw)
    except ValueError:
        return _error("invalid_input", _("The part 'claim' is not valid JSON."), 422,
                      detail=[{"field": "claim", "message": _("Enter a valid value."),
                               "type": "json"}])
    try:
        data = ClaimIn.model_validate(document)
    except ValidationError as exc:
        return _error("invalid_input", _("The claim has invalid fields."), 422,
                      detail=field_errors(exc.errors()))
    files = request.FILES.getlist("files")
    if len(files) > MAX_FILES_PER_CLAIM:
        return _error("too_many_files", ngettext(
            "At most %(count)s file per claim.", "At most %(count)s files per claim.",
            MAX_FILES_PER_CLAIM) % {"count": MAX_FILES_PER_CLAIM}, 422)
    blobs = []
    for upload in files:
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            return _error("file_too_large",
                          str(REFUSALS["file_too_large"][1]), 413,
                          detail=[{"field": "files", "message": upload.name or "", "type": "size"}])
        blobs.append((upload.name or "", upload.content_type or "", upload.read()))

    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    fingerprint = {"claim": document,
                   "files": [hashlib.sha256(b).hexdigest() for _n, _t, b in blobs]}
    if key:
        previous = idempotent_answer(scope=SCOPE, key=key, payload=fingerprint)
        if previous is not None:
            return Status(*previous)

    locale = data.locale or active_language()
    with translation.override(locale):
        campaign = campaign_get(slug=data.campaign)
        answer: dict[str, Any] = {}

        def remember(claim: Any) -> None:
            answer.update(reference=claim.reference, status=claim.status,
                          amount=str(claim.amount), currency=claim.currency)
            if key:
                idempotent_record(scope=SCOPE, key=key, payload=fingerprint, status=201,
                                  response=answer)

        person, purchase = data.person, data.purchase
        bank_fields = data.bank.model_dump(exclude={"account_holder"}, exclude_none=True)
        try:
            claim_submit(
                campaign=campaign, code=data.code, locale=locale,
                person=PersonIn(
                    first_name=person.first_name, last_name=person.last_name,
                    email=str(person.email), phone=person.phone or "",
                    address_line1=person.address.line1, address_line2=person.address.line2 or "",
                    postcode=person.address.postcode, city=person.address.city,
                    country=person.address.country.upper(),
                ),
                purchase=PurchaseIn(
                    country=purchase.country.upper(), channel=purchase.channel,
                    retailer=purchase.retailer, purchased_at=purchase.purchased_at,
                    order_number=purchase.order_number or "",
                    lines=[PurchaseLine(x.product, x.price, x.quantity) for x in purchase.lines],
                ),
                bank=BankIn(account_holder=data.bank.account_holder, fields=bank_fields),
                declarations=DeclarationsIn(**data.declarations.model_dump()),
                marketing_consent=data.marketing_consent,
                raw_uploads=[RawUpload(name=n, content_type=t, data=b) for n, t, b in blobs],
                on_created=remember,
            )
        except UploadRefused as refusal:
            return _error(refusal.code, str(refusal.message), refusal.status,
                          detail=[{"field": "files", "message": str(refusal.message),
                                   "type": refusal.code}])
        except IntegrityError:
            # A concurrent retry with the same Idempotency-Key won the race: answer as it did.
            if key:
                previous = idempotent_answer(scope=SCOPE, key=key, payload=fingerprint)
                if previous is not None:
                    return Status(*previous)
            raise
        except DomainError as exc:
            if key and exc.code == "code_already_used":
                # A concurrent retry with this key used the code first: give its answer.
                previous = idempotent_answer(scope=SCOPE, key=key, payload=fingerprint)
                if previous is not None:
                    return Status(*previous)
            return Status(exc.status, _domain_body(exc))
    return Status(201, answer)


def _domain_body(exc: DomainError) -> dict[str, Any]:
    body = exc.as_dict()
    reasons = exc.fields.get("reasons") if exc.fields else None
    if reasons:
        body["reasons"] = reasons
        body.pop("fields", None)
    return body


@router.post("/claims/track", response={200: TrackOut, 404: ErrorOut, 422: ErrorOut,
                                         429: ErrorOut},
             summary="The claim tracker: status, history and what to do next")
def claim_track(request: HttpRequest, payload: TrackIn) -> dict[str, Any]:
    rate_limit(scope="track-ip", key=client_ip(request), limit=30, window=60)
    tracker_attempt_count(reference=payload.reference)
    claim = claim_for_tracker(reference=payload.reference, email=payload.email)
    return claim_public_status(claim=claim)
