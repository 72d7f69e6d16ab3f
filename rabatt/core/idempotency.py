"""Idempotency-Key: a retried request gets the first request's answer, never a second effect."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import DomainError
from rabatt.core.models import IdempotencyRecord


def request_hash(payload: Any) -> str:
    """Return a stable hash of a request body."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def idempotent_answer(*, scope: str, key: str, payload: Any) -> tuple[int, Any] | None:
    """Return the stored answer of an earlier request with this key, if any."""
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != request_hash(payload):
        raise DomainError(
            _("This Idempotency-Key was already used for a different request."),
            code="idempotency_key_reused",
        )
    return record.status, record.response


def idempotent_record(*, scope: str, key: str, payload: Any, status: int, response: Any) -> None:
    """Store the answer to a request (inside the transaction that produced it)."""
    IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=request_hash(payload),
                                     status=status, response=response)
