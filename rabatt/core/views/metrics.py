"""/metrics: requests, task queues, claims per status, the outbox and the payout promise."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from kombu import Connection
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.core.broker import worker_queues
from rabatt.core.metrics import exposition
from rabatt.core.timeutil import utcnow
from rabatt.notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)


def _age(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


class OperationsCollector(Collector):
    """Read the database (and the broker) once per scrape; never cached, never stale."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = utcnow()
        yield from self._queues(now)

        claims = GaugeMetricFamily("rabatt_claims", "Claims by status", labels=["status"])
        counts = dict(Claim.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in ClaimStatus.values:
            claims.add_metric([status], counts.get(status, 0))
        yield claims

        backlog = OutboundEmail.objects.filter(
            status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
        found = backlog.aggregate(n=Count("pk"), oldest=Min("created_at"))
        yield GaugeMetricFamily("rabatt_outbox_backlog", "E-mails waiting to be sent",
                                value=found["n"])
        yield GaugeMetricFamily("rabatt_outbox_oldest_age_seconds",
                                "Age of the oldest e-mail waiting to be sent",
                                value=_age(found["oldest"], now))

        unpaid = Claim.objects.filter(
            status__in=[ClaimStatus.APPROVED, ClaimStatus.PAYMENT_FAILED],
            payment_due_at__isnull=False)
        due = unpaid.aggregate(n=Count("pk"), first=Min("payment_due_at"))
        yield GaugeMetricFamily("rabatt_payouts_unpaid", "Approved claims not yet paid",
                                value=due["n"])
        yield GaugeMetricFamily(
            "rabatt_payouts_late", "Approved claims past the 30-day payment promise",
            value=unpaid.filter(payment_due_at__lt=now).count())
        yield GaugeMetricFamily(
            "rabatt_payouts_promise_margin_seconds",
            "Time left before the earliest unpaid claim breaks the 30-day promise "
            "(negative: late by that much)",
            value=(due["first"] - now).total_seconds() if due["first"] else 0.0)

    def _queues(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("rabatt_task_queue_depth", "Tasks waiting to run",
                                  labels=["queue"])
        age = GaugeMetricFamily("rabatt_task_queue_oldest_age_seconds",
                                "Age of the oldest task waiting to run", labels=["queue"])
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == "django_tasks_db.DatabaseBackend":
            rows = (DBTaskResult.objects.ready().values("queue_name")
                    .annotate(n=Count("pk"), oldest=Min("enqueued_at")).order_by())
            for row in rows:
                depth.add_metric([row["queue_name"]], row["n"])
                age.add_metric([row["queue_name"]], _age(row["oldest"], now))
        elif backend == "django_tasks_celery.CeleryBackend":
            # A broker queue tells how many messages wait, not how old they are.
            try:
                with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
                    channel = conn.default_channel
                    for queue in worker_queues():
                        _name, count, _consumers = channel.queue_declare(queue=queue,
                                                                         passive=True)
                        depth.add_metric([queue], count)
            except Exception:
                log.warning("broker queue depth unavailable", exc_info=True)
        yield depth
        yield age


def _allowed(request: HttpRequest) -> bool:
    token = settings.RABATT_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # No token: internal only, from the addresses the operator lists (loopback by default).
    return str(request.META.get("REMOTE_ADDR", "")) in settings.RABATT_METRICS_ALLOW


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Expose the metrics to Prometheus: with the bearer token, or from an allowed address."""
    if not _allowed(request):
        return HttpResponse(status=404)  # the same answer as a path that does not exist
    return exposition(OperationsCollector())
