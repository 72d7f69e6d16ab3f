"""Single use under concurrency: many submissions of one code at the same moment."""

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import code_new, payload, post_claim

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def run_together(fn: Any, n: int) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.usefixtures("during_campaign")
def test_one_code_submitted_by_many_at_once_makes_exactly_one_claim(campaign):
    code = code_new(campaign)

    def submit(i: int) -> int:
        body = payload(code, person__email=f"person{i}@example.no")
        return post_claim(Client(), body).status_code

    statuses = run_together(submit, THREADS)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1), statuses
    assert Claim.objects.count() == 1


@pytest.mark.usefixtures("during_campaign")
def test_concurrent_retries_with_one_idempotency_key_answer_alike(campaign):
    code = code_new(campaign)

    def submit(_i: int) -> tuple[int, Any]:
        response = post_claim(Client(), payload(code), HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()

    results = run_together(submit, 4)
    assert Claim.objects.count() == 1
    reference = Claim.objects.get().reference
    assert results == [(201, results[0][1])] * 4
    assert results[0][1]["reference"] == reference
    assert connection.vendor in ("postgresql", "sqlite")
