"""Test the data migrations of claims on rows as the older code wrote them."""

from __future__ import annotations

import importlib

from django.apps import apps

from rabatt.claims.models import ClaimEvent
from rabatt.claims.services import claim_event_record
from rabatt.claims.tests.factories import claim_factory


def test_link_tokens_leave_the_history_and_the_rest_stays(campaign) -> None:
    claim = claim_factory(campaign)
    old = [claim_event_record(claim=claim, kind=kind, actor_type="system",
                              data={"token": f"secret-{kind}", "reason_code": "AC04"},
                              notify=False)
           for kind in ("request_info", "mark_payment_failed")]
    other = claim_event_record(claim=claim, kind="note", actor_type="system",
                               data={"token": "not a link"}, notify=False)
    migration = importlib.import_module("rabatt.claims.migrations.0007_event_link_tokens_removed")
    migration.forget_tokens(apps, None)
    assert [ClaimEvent.objects.get(pk=e.pk).data for e in old] == [
        {"reason_code": "AC04"}, {"reason_code": "AC04"}]
    # Only the two kinds that carried a link are touched.
    assert ClaimEvent.objects.get(pk=other.pk).data == {"token": "not a link"}
    migration.forget_tokens(apps, None)  # running again changes nothing
    assert ClaimEvent.objects.get(pk=old[0].pk).data == {"reason_code": "AC04"}
