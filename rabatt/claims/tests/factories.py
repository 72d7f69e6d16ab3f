"""Claims for tests: a valid API payload, real receipt files, and stored claims."""

from __future__ import annotations

import copy
import io
import json
from datetime import datetime
from typing import Any

from PIL import Image, ImageDraw

from rabatt.campaigns.models import Campaign
from rabatt.codes.alphabet import display
from rabatt.codes.services import codes_issue
from rabatt.core.localformats import POSTCODE_RULES

PAYLOAD: dict[str, Any] = {
    "campaign": "sonos-summer-2019",
    "code": "",
    "locale": "nb",
    "person": {
        "first_name": "Kari", "last_name": "Nordmann", "email": "kari@example.no",
        "phone": "+47 912 34 567",
        "address": {"line1": "Storgata 1", "postcode": "0155", "city": "Oslo", "country": "NO"},
    },
    "purchase": {
        "country": "NO", "channel": "retailer", "retailer": "elkjop-no",
        "purchased_at": "2019-07-25T14:03:00Z",
        "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
        "order_number": "EK-123456",
    },
    "bank": {"account_holder": "Kari Nordmann", "iban": "NO93 8601 1117 947"},
    "declarations": {"adult": True, "end_user": True, "own_claim": True, "terms_accepted": True},
    "marketing_consent": False,
}


def code_new(campaign: Campaign, channel: str = "retailer") -> str:
    return display(next(iter(codes_issue(campaign=campaign, channel=channel, count=1))))


def payload(code: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(PAYLOAD)
    data["code"] = code
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return data


def receipt_jpeg(text: str = "ELKJØP\nBEAM 4990,00\nTOTALT 4990,00", size=(600, 800)) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(text.splitlines()):
        draw.text((40, 40 + 30 * i), line, fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def post_claim(client: Any, data: dict[str, Any], files: list[tuple[str, bytes, str]] | None = None,
               **extra: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if files is None:
        files = [("kvittering.jpg", receipt_jpeg(), "image/jpeg")]
    body: dict[str, Any] = {"claim": json.dumps(data)}
    body["files"] = [SimpleUploadedFile(n, b, content_type=t) for n, b, t in files]
    return client.post("/api/v1/claims", body, **extra)


# The one claim factory: a stored claim in any status, reached through the real services -----

# The actions that lead from a new claim to each status, each taken by the real transition
# function (see claim_factory).
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    "submitted": (),
    "in_review": ("start_review",),
    "info_requested": ("request_info",),
    "approved": ("approve",),
    "rejected": ("reject",),
    "lapsed": ("request_info", "lapse"),
    "withdrawn": ("withdraw",),
    "paid": ("approve", "mark_paid"),
    "payment_failed": ("approve", "mark_payment_failed"),
    "voided": ("approve", "void"),
}
SUBMITTED_AT = "2019-08-01T10:00:00+00:00"


def _lapse(claim_id: int, staff: Any, submitted: Any) -> None:
    from datetime import timedelta

    from rabatt.claims import services

    sent = submitted + timedelta(days=1)
    services.claim_info_email_sent(claim_id=claim_id, sent_at=sent)
    services.claim_lapse_if_overdue(claim_id=claim_id, now=sent + timedelta(days=8))


def _steps() -> dict[str, Any]:
    from rabatt.claims import services as s

    return {
        "start_review": lambda pk, staff, at: s.claim_start_review(claim_id=pk, actor=staff),
        "request_info": lambda pk, staff, at: s.claim_request_info(
            claim_id=pk, actor=staff, reasons=["receipt_unreadable"]),
        "lapse": _lapse,
        "approve": lambda pk, staff, at: s.claim_approve(claim_id=pk, actor=staff),
        "reject": lambda pk, staff, at: s.claim_reject(claim_id=pk, actor=staff,
                                                       reason="not_eligible"),
        "withdraw": lambda pk, staff, at: s.claim_withdraw(claim_id=pk),
        "mark_paid": lambda pk, staff, at: s.claim_mark_paid(claim_id=pk),
        "mark_payment_failed": lambda pk, staff, at: s.claim_mark_payment_failed(
            claim_id=pk, reason="AC04"),
        "void": lambda pk, staff, at: s.claim_void(claim_id=pk, actor=staff),
    }


def _when(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _upload(numbered: tuple[int, bytes | tuple[str, bytes, str]]) -> tuple[str, bytes, str]:
    # A bare file is named by what it holds, as a browser would send it.
    n, file = numbered
    if isinstance(file, tuple):
        return file
    if file.startswith(b"%PDF"):
        return f"receipt{n}.pdf", file, "application/pdf"
    return f"receipt{n}.jpg", file, "image/jpeg"


def factory_staff() -> Any:
    """The staff member the factory acts as (a supervisor may take every staff action)."""
    from django.contrib.auth import get_user_model

    from rabatt.accounts.services import staff_create

    user = get_user_model().objects.filter(username="factory@rabatt.test").first()
    return user or staff_create(email="factory@rabatt.test", role="supervisor",
                                password="factory-password-1")


def claim_factory(
    campaign: Campaign,
    *,
    status: str = "submitted",
    email: str = "kari@example.no",
    first_name: str = "Kari",
    last_name: str = "Nordmann",
    city: str = "Oslo",
    holder: str | None = None,
    country: str = "NO",
    retailer: str | None = "elkjop-no",
    product: str = "beam",
    price: str = "4990.00",
    purchased_at: str | datetime = "2019-07-25T14:03:00+00:00",
    submitted_at: str | datetime = SUBMITTED_AT,
    bank: dict[str, str] | None = None,
    locale: str = "nb",
    files: list[bytes | tuple[str, bytes, str]] | None = None,
    marketing_consent: bool = False,
    code: str | None = None,
    device: str = "",
) -> Any:
    """Submit a claim through ``claim_submit`` and walk it to ``status`` with the real
    transition functions (no HTTP; files are read only if on-commit work runs)."""
    from decimal import Decimal

    from rabatt.campaigns.rules import PurchaseLine
    from rabatt.claims import services
    from rabatt.claims.models import Claim
    from rabatt.receipts.services import receipt_vet

    submitted = _when(submitted_at)
    uploads = [receipt_vet(data=blob, name=name, content_type=kind)
               for name, blob, kind in map(_upload, enumerate(files or [receipt_jpeg()]))]
    claim = services.claim_submit(
        campaign=campaign, code=code or code_new(campaign),
        person=services.PersonIn(first_name=first_name, last_name=last_name, email=email,
                                 address_line1="Storgata 1",
                                 postcode=POSTCODE_RULES[country].example, city=city,
                                 country=country),
        purchase=services.PurchaseIn(
            country=country, channel="retailer", retailer=retailer,
            purchased_at=_when(purchased_at),
            lines=[PurchaseLine(product=product, price=Decimal(price), quantity=1)]),
        bank=services.BankIn(account_holder=holder or f"{first_name} {last_name}",
                             fields=bank or {"iban": "NO93 8601 1117 947"}),
        declarations=services.DeclarationsIn(adult=True, end_user=True, own_claim=True,
                                             terms_accepted=True),
        marketing_consent=marketing_consent, locale=locale, uploads=uploads, now=submitted,
        device=device,
    )
    staff = factory_staff() if set(STATUS_PATHS[status]) - {"withdraw"} else None
    steps = _steps()
    for action in STATUS_PATHS[status]:
        steps[action](claim.pk, staff, submitted)
    return Claim.objects.get(pk=claim.pk)
