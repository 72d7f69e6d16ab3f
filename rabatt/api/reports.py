"""Staff reports over the API: the dashboard's figures as JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rabatt.api.staff import ErrorOut, StaffToken, _actor
from rabatt.reports import selectors

router = Router(tags=["staff"], auth=StaffToken())


class DayCount(Schema):
    date: date
    status: str
    count: int


class Liability(Schema):
    currency: str
    quoted: Decimal = Field(description="Claims awaiting a decision (submitted, in review, "
                                        "information requested)")
    approved_unpaid: Decimal = Field(description="Approved, or payment failed: still to pay")
    paid: Decimal


class SummaryOut(Schema):
    claims_by_status: dict[str, int]
    claims_per_day: list[DayCount] = Field(description="Claims submitted per day (UTC) by "
                                                       "their current status")
    liability: list[Liability]


@router.get("/summary", response={200: SummaryOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                  422: ErrorOut},
            summary="Claims by status, claims per day and liability per currency")
def summary(request: HttpRequest, campaign: str = "", brand: str = "", country: str = "",
            since: date | None = None, until: date | None = None) -> dict[str, Any]:
    f = selectors.report_filter(actor=_actor(request), campaign=campaign, brand=brand,
                                country=country, since=since, until=until)
    return selectors.summary(f=f)
