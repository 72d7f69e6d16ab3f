"""No claim is paid twice when several finance users build batches at the same moment.

Needs PostgreSQL (row locks, SKIP LOCKED): DATABASE_URL=postgres://... python -m pytest ...
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from rabatt.core.errors import Conflict
from rabatt.payouts import services
from rabatt.payouts.models import Payment, PaymentStatus
from rabatt.payouts.tests.factories import approved_claims, payer
from rabatt.review.tests.factories import staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

CLAIMS = 120
THREADS = 6


def test_concurrent_builders_never_put_a_claim_in_two_live_payments(campaign):
    payer()
    claims = approved_claims(campaign, CLAIMS)
    builders = [staff_user("finance", f"finance{i}@rabatt.test") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []

    def build(user, limit):
        try:
            barrier.wait()
            for _ in range(10):
                try:
                    batch = services.payout_batch_build(actor=user, currency="NOK", limit=limit)
                except Conflict as exc:
                    if exc.code != "nothing_to_pay":
                        raise
                    return
                results.append(batch.count)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build, args=(user, 7 + i))
               for i, user in enumerate(builders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    live = Payment.objects.filter(status__in=[PaymentStatus.PENDING, PaymentStatus.SENT,
                                              PaymentStatus.PAID])
    claim_ids = list(live.values_list("claim_id", flat=True))
    assert len(claim_ids) == len(set(claim_ids)) == CLAIMS
    assert set(claim_ids) == {c.pk for c in claims}
    assert sum(results) == CLAIMS
    assert len(results) > 1  # several batches were really built side by side

