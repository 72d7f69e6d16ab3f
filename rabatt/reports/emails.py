"""The weekly summary e-mail to staff who opted in, queued in the outbox."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings

from rabatt.notifications.services import email_queue


def weekly_summary_email_queue(*, user_id: int, to: str, monday: date,
                               figures: dict[str, Any]) -> bool:
    """Queue one week's summary for one person; False if it was queued before."""
    year, week, _ = monday.isocalendar()
    context = {
        "week": f"{year}-W{week:02d}", "monday": monday.isoformat(),
        "sunday": (monday + timedelta(days=6)).isoformat(),
        "total": sum(figures["claims_by_status"].values()),
        "by_status": [{"status": s, "count": n}
                      for s, n in figures["claims_by_status"].items() if n],
        "liability": [{k: str(v) for k, v in row.items()} for row in figures["liability"]],
    }
    # Staff have no language of their own: the site's default.
    row = email_queue(kind="reports.weekly_summary",
                      dedup_key=f"weekly-summary:{user_id}:{year}-W{week:02d}", to=to,
                      template="reports/email/weekly_summary", context=context,
                      locale=settings.LANGUAGE_CODE)
    return row is not None
