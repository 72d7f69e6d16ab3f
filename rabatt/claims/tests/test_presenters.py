"""What the consumer pages are given to show: the step of a refused submission, the tracker's
progress marks and the reasons of a request for information."""

from __future__ import annotations

import pytest

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.models import ClaimEvent
from rabatt.claims.presenters import info_reasons, submit_error, tracker_progress
from rabatt.core.errors import DomainError

pytestmark = pytest.mark.django_db

URL = "/c/sonos-summer-2019/claim/"


@pytest.mark.parametrize(("code", "fields", "step"), [
    ("code_already_used", {}, "code"),
    ("invalid", {"code": "invalid"}, "code"),
    ("invalid", {"files": "required"}, "proof"),
    ("invalid", {"person.email": "invalid"}, "details"),
    ("iban_checksum", {}, "details"),
    ("not_eligible", {}, "purchase"),
    ("invalid", {"purchase.retailer": "unknown"}, "purchase"),
    ("conflict", {}, ""),
])
def test_a_refused_submission_names_the_step_to_change(code, fields, step):
    error = submit_error(campaign_factory(), DomainError("No.", code=code, fields=fields))
    assert error["code"] == code
    assert error["message"] == "No."
    assert error["step_url"] == (f"{URL}{step}/" if step else "")
    assert bool(error["step_title"]) is bool(step)


def test_the_engines_reasons_are_listed_with_a_refusal():
    reasons = [{"code": "window", "message": "Too late."}, "not a reason"]
    error = submit_error(campaign_factory(), DomainError(
        "Not eligible.", code="not_eligible", fields={"reasons": reasons}))
    assert error["reasons"] == ["Too late."]


@pytest.mark.parametrize(("status", "marks"), [
    ("submitted", [("done", "current"), (), (), ()]),
    ("approved", [("done",), ("done",), ("done", "current"), ()]),
    ("paid", [("done",), ("done",), ("done",), ("done", "current")]),
    ("rejected", [(), (), (), ()]),
])
def test_the_tracker_marks_the_steps_reached(status, marks):
    progress = tracker_progress({"status": status})
    assert [p["key"] for p in progress] == ["submitted", "in_review", "approved", "paid"]
    assert [tuple(k for k in ("done", "current") if p[k]) for p in progress] == marks


def test_no_status_no_progress():
    assert tracker_progress(None) == []


def test_a_request_shows_the_labels_of_known_reasons_only():
    event = ClaimEvent(reasons=["receipt_unreadable", "no_such_reason"])
    assert info_reasons(event) == ["The proof of purchase is not readable"]
