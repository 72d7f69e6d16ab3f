"""Claims own their history: one function creates ClaimEvent rows, and every app calls it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rabatt.claims.models import ClaimEvent
from rabatt.claims.services import claim_event_record
from rabatt.claims.tests.factories import claim_factory

PACKAGE = Path(__file__).resolve().parents[2]


def event_writers() -> list[str]:
    """Every place outside tests and migrations that creates a ClaimEvent row."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                text = ast.unparse(node) if isinstance(node, ast.Call) else ""
                if text.startswith(("ClaimEvent.objects.create(", "ClaimEvent.objects.bulk_create(",
                                    "ClaimEvent(")):
                    found.append(f"{path.relative_to(PACKAGE)}:{function.name}")
    return sorted(set(found))


def test_claim_event_record_is_the_only_creator_of_claim_events():
    assert event_writers() == ["claims/services.py:claim_event_record"]


@pytest.mark.django_db
def test_an_event_recorded_by_another_app_names_the_actor_and_queues_no_email(campaign):
    claim = claim_factory(campaign)
    event = claim_event_record(claim=claim, kind="receipts_checked", actor_type="system",
                               data={"files": 1})
    assert ClaimEvent.objects.filter(claim=claim).latest("id") == event
    assert (event.actor_type, event.actor, event.data) == ("system", None, {"files": 1})
