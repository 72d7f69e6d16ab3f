"""The shape of a receipt check's results, checked on every write and read (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

FieldStatus = Literal["verified", "mismatch", "unreadable"]
DuplicateKind = Literal["exact", "near", "text"]


class Evidence(BaseModel):
    """Where a value was read: a box on one page, in the pixels of the upload as stored."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    page: int = Field(ge=0)
    box: list[float] = Field(min_length=5, max_length=5)  # page, x0, y0, x1, y1
    text: str
    page_width: float = Field(gt=0)
    page_height: float = Field(gt=0)


class FieldResult(BaseModel):
    """One field of the claim (retailer, date, total, currency) against what the receipt says."""

    model_config = ConfigDict(extra="forbid")

    entered: str | None
    read: str | None
    status: FieldStatus
    confidence: float = Field(ge=0, le=1)
    file: str | None
    evidence: Evidence | None = None


class Duplicate(BaseModel):
    """Another claim holding the same receipt (``exact``), picture (``near``) or purchase."""

    model_config = ConfigDict(extra="forbid")

    kind: DuplicateKind
    claim: str | None  # the other claim's reference
    file: str
    distance: int | None = None
    status: str | None = None  # the other claim's status when the check ran


FIELDS_ADAPTER = TypeAdapter(dict[str, FieldResult])
DUPLICATES_ADAPTER = TypeAdapter(list[Duplicate])
