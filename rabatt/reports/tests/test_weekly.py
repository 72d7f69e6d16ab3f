"""The weekly summary e-mail: opted-in managers only, once per person and week, via the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rabatt.claims.tests.factories import claim_factory
from rabatt.notifications.models import OutboundEmail
from rabatt.notifications.services import email_message
from rabatt.reports.models import WeeklySummaryOptIn
from rabatt.reports.services import weekly_summaries_queue, weekly_summary_opt
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db
# Claims of the factory are submitted on Thursday 1 August 2019 (week 2019-W31).
NEXT_MONDAY = datetime(2019, 8, 5, 6, 0, tzinfo=UTC)


def test_opted_in_managers_get_last_weeks_figures_once(campaign):
    claim_factory(campaign, status="paid")
    claim_factory(campaign, status="in_review", email="b@example.no")
    claim_factory(campaign, status="approved", email="c@example.no",
                  submitted_at="2019-08-05T09:00:00+00:00")  # this week: not in the summary
    manager = staff_user("campaign_manager", "manager@rabatt.test")
    staff_user("campaign_manager", "quiet@rabatt.test")  # did not opt in
    weekly_summary_opt(user=manager, on=True)
    assert weekly_summaries_queue(now=NEXT_MONDAY) == 1
    assert weekly_summaries_queue(now=NEXT_MONDAY) == 0  # a second run queues nothing
    row = OutboundEmail.objects.get(kind="reports.weekly_summary")
    assert (row.to, row.dedup_key) == ("manager@rabatt.test",
                                       f"weekly-summary:{manager.pk}:2019-W31")
    message = email_message(row)
    assert message.subject == "Rabatt: your weekly summary, 2019-W31"
    assert "2 claims were submitted in the week starting 2019-07-29 (UTC)." in message.body
    assert "- In review: 1\n- Paid: 1\n" in message.body
    assert "NOK 748.50" in message.body.replace("\u00a0", " ")
    assert "/staff/reports/?since=2019-07-29&until=2019-08-04" in message.body


def test_opting_out_and_roles(campaign, agent):
    manager = staff_user("campaign_manager", "manager@rabatt.test")
    client = verified_client(manager)
    client.post("/staff/reports/weekly/", {"on": "1"})
    assert WeeklySummaryOptIn.objects.filter(user=manager).exists()
    assert "Stop the weekly e-mail" in client.get("/staff/reports/").content.decode()
    client.post("/staff/reports/weekly/", {"on": "0"})
    assert not WeeklySummaryOptIn.objects.exists()
    assert verified_client(agent).post("/staff/reports/weekly/", {"on": "1"}).status_code == 403
    assert not WeeklySummaryOptIn.objects.exists()
    # Someone who opted in and then lost the role gets nothing.
    weekly_summary_opt(user=manager, on=True)
    manager.staff_profile.role = "agent"
    manager.staff_profile.save()
    assert weekly_summaries_queue(now=NEXT_MONDAY) == 0
