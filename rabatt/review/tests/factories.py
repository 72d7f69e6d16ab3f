"""Staff users with a second factor, verified sessions, and checks written onto claims."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from rabatt.accounts.guards import LOGIN_AT, SEEN_AT
from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.claims.models import Claim

SUBMITTED_AT = datetime(2019, 8, 1, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple 42"


def receipt_pdf(pages: int = 1) -> bytes:
    """A small PDF invoice with ``pages`` pages."""
    import io

    from PIL import Image, ImageDraw

    images = []
    for n in range(pages):
        image = Image.new("RGB", (600, 800), "white")
        ImageDraw.Draw(image).text((40, 40), f"FAKTURA {n + 1}\nBEAM 4990,00", fill="black")
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def staff_user(role: str, email: str | None = None, *, device: bool = True) -> User:
    user = staff_create(email=email or f"{role}@rabatt.test", role=role, password=PASSWORD)
    if device:
        StaffTotpDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def totp_now(user: User, *, offset: int = 0) -> str:
    """The code the user's authenticator app shows now (``offset`` steps away)."""
    device = StaffTotpDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=offset)
    return f"{code:06d}"


def verified_client(user: User) -> Client:
    """A test client whose session passed both factors (what the login views leave behind)."""
    client = Client()
    client.force_login(user)
    device = StaffTotpDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LOGIN_AT] = session[SEEN_AT] = int(time.time())
    session.save()
    return client


def with_checks(claim: Claim, signals: dict[str, Any]) -> Claim:
    """Replace the claim's checks with ``signals`` in the staff API's shape, written as the
    typed rows the background reading and automation write (raw, unvalidated: tests may
    store what the schema would refuse, as a hand-edited row could)."""
    from django.utils.dateparse import parse_datetime

    from rabatt.receipts.models import ReceiptCheck
    from rabatt.review.models import AutomaticDecision

    Claim.objects.filter(pk=claim.pk).update(bank_holder_match=signals.get("bank_holder_match"))
    ReceiptCheck.objects.filter(claim=claim).delete()
    AutomaticDecision.objects.filter(claim=claim).delete()
    receipts = signals.get("receipts")
    if receipts is None and ("fields" in signals or "duplicates" in signals):
        receipts = {"status": "done", "files": 1, "read": 1,
                    "checked_at": SUBMITTED_AT.isoformat()}
    if receipts is not None:
        checked = receipts.get("checked_at")
        duplicates = signals.get("duplicates", [])
        ReceiptCheck.objects.create(
            claim=claim, status=receipts["status"], files=receipts.get("files", 0),
            read=receipts.get("read", 0),
            checked_at=parse_datetime(checked) if checked else None,
            fields=signals.get("fields", {}), duplicates=duplicates,
            duplicate_count=len(duplicates))
    automatic = signals.get("automatic")
    if automatic is not None:
        reasons = automatic.get("reasons")
        AutomaticDecision.objects.create(claim=claim, outcome=automatic["outcome"],
                                         reasons=[] if reasons is None else reasons,
                                         at=parse_datetime(automatic.get("at") or "")
                                         or SUBMITTED_AT)
    claim.refresh_from_db()
    return claim
