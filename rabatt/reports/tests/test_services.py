"""The day rollups stay equal to the claims they count, through every transition."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from rabatt.claims import services as claims
from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import STATUS_PATHS, claim_factory, factory_staff
from rabatt.reports.models import ClaimDay, ClaimFact, ReasonDay
from rabatt.reports.services import rollups_rebuild

pytestmark = pytest.mark.django_db


def _live() -> dict[tuple, tuple[int, Decimal]]:
    rows = Claim.objects.values("campaign_id", "purchase_country", "currency", "status").annotate(
        n=Count("id"), amount=Sum("amount"))
    return {(r["campaign_id"], r["purchase_country"], r["currency"], r["status"]):
            (r["n"], r["amount"]) for r in rows}


def _rolled() -> dict[tuple, tuple[int, Decimal]]:
    rows = (ClaimDay.objects.values("campaign_id", "country", "currency", "status")
            .annotate(n=Sum("claims"), amount=Sum("amount")).filter(n__gt=0))
    return {(r["campaign_id"], r["country"], r["currency"], r["status"]): (r["n"], r["amount"])
            for r in rows}


def test_every_status_is_counted_once_with_its_amount(campaign):
    for status in STATUS_PATHS:
        claim_factory(campaign, status=status, email=f"{status}@example.no")
    assert ClaimFact.objects.count() == len(STATUS_PATHS)
    rolled = _rolled()
    assert rolled == _live()
    assert rolled[(campaign.pk, "NO", "NOK", "paid")] == (1, Decimal("748.50"))
    # Moving a claim moves its count and amount, and nothing is left behind.
    approved = Claim.objects.get(status="approved")
    claims.claim_mark_paid(claim_id=approved.pk)
    assert _rolled() == _live()
    assert _rolled()[(campaign.pk, "NO", "NOK", "paid")] == (2, Decimal("1497.00"))
    assert (campaign.pk, "NO", "NOK", "approved") not in _rolled()


def test_decisions_payments_and_reasons(campaign):
    claim_factory(campaign, status="paid")
    claim_factory(campaign, status="rejected", email="b@example.no")
    claim_factory(campaign, status="info_requested", email="c@example.no")
    totals = ClaimDay.objects.aggregate(decided=Sum("decided"), paid=Sum("paid"),
                                        claims=Sum("claims"))
    assert totals == {"decided": 2, "paid": 1, "claims": 3}
    assert sorted(ReasonDay.objects.values_list("kind", "reason", "count")) == [
        ("reject", "not_eligible", 1), ("request_info", "receipt_unreadable", 1)]


def test_rebuild_gives_the_same_rollups(campaign):
    claim_factory(campaign, status="paid")
    claim_factory(campaign, status="rejected", email="b@example.no")
    claim = claim_factory(campaign, status="in_review", email="c@example.no")
    claims.claim_approve(claim_id=claim.pk, actor=factory_staff())
    fields = ("campaign_id", "day", "country", "currency", "status", "claims", "amount",
              "decided", "automatic", "paid", "checked", "verified", "duplicates", "low_match")
    before = sorted(ClaimDay.objects.filter(claims__gt=0).values_list(*fields))
    reasons = sorted(ReasonDay.objects.values_list("kind", "reason", "count"))
    ClaimDay.objects.update(claims=99)  # drifted rows are replaced, not added to
    assert rollups_rebuild() == 3
    assert sorted(ClaimDay.objects.filter(claims__gt=0).values_list(*fields)) == before
    assert sorted(ReasonDay.objects.values_list("kind", "reason", "count")) == reasons


def test_rebuild_command(campaign):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    claim_factory(campaign, status="paid")
    ClaimDay.objects.update(claims=0)
    out = io.StringIO()
    call_command("reports", "rebuild", "--campaign", campaign.slug, stdout=out)
    assert out.getvalue() == "rebuilt the rollups of 1 claim(s)\n"
    assert _rolled() == _live()
    with pytest.raises(CommandError):
        call_command("reports", "rebuild", "--campaign", "nope")
