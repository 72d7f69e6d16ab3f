"""/metrics: requests by route and status, queues, claims, outbox and the payout promise."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import OutboundEmail


def _samples(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_are_internal_only_without_a_token(client, db):
    with override_settings(RABATT_METRICS_ALLOW=["10.0.0.9"]):
        assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 404
    assert client.get("/metrics").status_code == 200  # from loopback


def test_metrics_need_the_token_when_one_is_set(client, db):
    with override_settings(RABATT_METRICS_TOKEN="s3cret-scrape-token"):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.5",
                          HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200


def test_requests_are_counted_by_route_and_status(client, db):
    before = _samples(client)
    key = ("rabatt_http_requests_total",
           (("method", "GET"), ("route", "/track/"), ("status", "200")))
    missing = ("rabatt_http_requests_total",
               (("method", "GET"), ("route", "unmatched"), ("status", "404")))
    for _ in range(3):
        assert client.get("/track/").status_code == 200
    assert client.get("/no-such-page-0b8f/").status_code == 404
    after = _samples(client)
    assert after[key] - before.get(key, 0) == 3
    assert after[missing] - before.get(missing, 0) == 1
    count = ("rabatt_http_request_duration_seconds_count", (("route", "/track/"),))
    assert after[count] - before.get(count, 0) == 3


def test_claims_outbox_queues_and_the_payout_promise(client, campaign):
    claim_factory(campaign, email="a@example.no")
    claim_factory(campaign, email="b@example.no", status="approved")
    late = claim_factory(campaign, email="c@example.no", status="approved")
    Claim.objects.filter(pk=late.pk).update(payment_due_at=utcnow() - timedelta(days=2))
    found = _samples(client)
    assert found[("rabatt_claims", (("status", "submitted"),))] == 1
    assert found[("rabatt_claims", (("status", "approved"),))] == 2
    assert found[("rabatt_claims", (("status", "paid"),))] == 0
    assert found[("rabatt_payouts_unpaid", ())] == 2
    assert found[("rabatt_payouts_late", ())] == 1
    assert -2 * 86400 - 60 < found[("rabatt_payouts_promise_margin_seconds", ())] < -2 * 86400 + 60
    pending = OutboundEmail.objects.filter(status__in=["pending", "sending"]).count()
    assert found[("rabatt_outbox_backlog", ())] == pending


def test_database_queue_depth_and_age_per_queue(client, db):
    from django_tasks_db.models import DBTaskResult

    from rabatt.notifications.tasks import sweep_outbox

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                              "QUEUES": ["default", "email"]}}):
        # The sweep belongs to the e-mail queue; two copies are sent to the default one.
        sweep_outbox.using(queue_name="default").enqueue()
        sweep_outbox.using(queue_name="default").enqueue()
        sweep_outbox.enqueue()
        DBTaskResult.objects.filter(queue_name="email").update(
            enqueued_at=utcnow() - timedelta(minutes=10))
        found = _samples(client)
    assert found[("rabatt_task_queue_depth", (("queue", "default"),))] == 2
    assert found[("rabatt_task_queue_depth", (("queue", "email"),))] == 1
    assert 590 < found[("rabatt_task_queue_oldest_age_seconds", (("queue", "email"),))] < 700
