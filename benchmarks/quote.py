"""Quotes per second through the rules engine in-process and through the HTTP API.

Usage: python benchmarks/quote.py [--seconds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, django_setup, machine, served, summary

BODY = {
    "country": "NO", "channel": "retailer", "retailer": "elkjop-no",
    "purchased_at": "2019-07-25T14:03:00Z", "claimed_at": "2019-08-01T10:00:00Z",
    "currency": "NOK",
    "lines": [{"product": "beam", "price": "4990.00", "quantity": 1},
              {"product": "sub", "price": "7990.00", "quantity": 1}],
}


def bench_engine(seconds: float) -> float:
    from rabatt.campaigns.rules import Purchase, PurchaseLine, quote
    from rabatt.campaigns.selectors import campaign_get, campaign_rules

    rules = campaign_rules(campaign=campaign_get(slug="sonos-summer-2019"))
    purchase = Purchase(
        country="NO", channel="retailer", retailer="elkjop-no",
        purchased_at=datetime(2019, 7, 25, 14, 3, tzinfo=UTC),
        claimed_at=datetime(2019, 8, 1, 10, tzinfo=UTC), currency="NOK",
        lines=[PurchaseLine("beam", Decimal("4990.00")), PurchaseLine("sub", Decimal("7990.00"))],
    )
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            quote(rules, purchase)
        n += 100
    return n / (time.perf_counter() - start)


def bench_http(port: int, seconds: float, threads: int) -> tuple[float, list[float]]:
    payload = json.dumps(BODY)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/campaigns/sonos-summer-2019/quote", payload,
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    django_setup()
    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load

    campaign_load(data=load_path(ROOT / "examples/campaigns/sonos-summer-2019.yaml"))
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"machine: {machine()}; database: {db}")
    print(f"engine in-process: {bench_engine(args.seconds):,.0f} quotes/s")
    with served() as port:
        bench_http(port, 0.5, 1)  # warm-up: workers import Django and cache the rules
        rate, lat = bench_http(port, args.seconds, 1)
        print(f"HTTP API, 1 client:  {rate:,.0f} quotes/s ({summary(lat)})")
        rate, lat = bench_http(port, args.seconds, args.threads)
        print(f"HTTP API, {args.threads} clients: {rate:,.0f} quotes/s ({summary(lat)})")


if __name__ == "__main__":
    main()
