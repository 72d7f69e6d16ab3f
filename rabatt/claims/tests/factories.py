"""Claims for tests: a valid API payload, real receipt files, and stored claims."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from PIL import Image, ImageDraw

from rabatt.campaigns.models import Campaign
from rabatt.codes.alphabet import display
from rabatt.codes.services import codes_issue

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
