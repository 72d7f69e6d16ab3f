"""Shop API: validate and redeem requests per second through gunicorn, next to a trivial
JSON endpoint served by the same server in the same run; plus a race of simultaneous redeems.

Usage:
    createdb -h 127.0.0.1 -U postgres rabatt_codes_bench
    python benchmarks/codes.py --database-url postgres://postgres@127.0.0.1:5432/rabatt_codes_bench

Rate limits are switched off (RATE_LIMITS=off) so the load generator is not refused.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

# Run from benchmarks/ the script's folder comes first on sys.path, where a module may shadow
# the standard library (benchmarks/queue.py): import from the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, django_setup, machine, percentile, served  # noqa: E402

SLUG = "sonos-summer-2019"
# The example campaign's window is in 2019; shift it so that "now" is a purchase date.
SHIFT_DAYS = (datetime.now(UTC).date() - datetime(2019, 8, 1, tzinfo=UTC).date()).days


def order(code: str, order_id: str) -> str:
    return json.dumps({
        "campaign": SLUG, "code": code, "order_id": order_id, "country": "NO",
        "currency": "NOK", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
    })


Request = Callable[[int, int], tuple[str, str, str | None]]


def bench(port: int, seconds: float, threads: int, make: Request, headers: dict[str, str],
          expect: int = 200) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(w: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        i = 0
        while time.perf_counter() < stop:
            method, path, body = make(w, i)
            i += 1
            t0 = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
            assert response.status == expect, (response.status, data[:300])
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def race(port: int, n: int, code: str, headers: dict[str, str]) -> Counter[int]:
    """N clients redeem one code for N different orders at the same moment."""
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        conn.request("POST", "/api/v1/codes/redeem", order(code, f"RACE-{i}"), headers)
        response = conn.getresponse()
        response.read()
        with lock:
            statuses.append(response.status)
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return Counter(statuses)


def row(name: str, clients: int, rate: float, lat: list[float]) -> str:
    ms = sorted(v * 1000 for v in lat)
    return (f"| {name} | {clients} | {rate:,.0f} | {percentile(ms, 50):.1f} | "
            f"{percentile(ms, 99):.1f} | {len(ms):,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--codes", type=int, default=30_000, help="direct codes to issue")
    parser.add_argument("--race", type=int, default=100, help="simultaneous redeems of one code")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["RATE_LIMITS"] = "off"
    django_setup()
    from django.conf import settings

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.models import Campaign
    from rabatt.campaigns.services import campaign_load
    from rabatt.codes.alphabet import display
    from rabatt.codes.models import Redemption
    from rabatt.codes.services import api_key_create, codes_issue

    campaign, _ = campaign_load(data=load_path(ROOT / f"examples/campaigns/{SLUG}.yaml",
                                               shift_days=SHIFT_DAYS))
    assert isinstance(campaign, Campaign)
    name = f"bench-{int(time.time())}"
    _key, secret = api_key_create(name=name, campaigns=[campaign])
    t0 = time.perf_counter()
    codes = [display(c) for c in codes_issue(campaign=campaign, channel="direct",
                                             count=args.codes, note="benchmark")]
    issue_rate = len(codes) / (time.perf_counter() - t0)
    validate_code = codes.pop()
    race_code = codes.pop()
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"machine: {machine()}; database: {db}; gunicorn {args.workers} workers x 4 threads")
    print(f"issued {args.codes:,} codes in-process: {issue_rate:,.0f} codes/s\n")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    next_code = iter(codes)
    code_lock = threading.Lock()

    def health(_w: int, _i: int) -> tuple[str, str, str | None]:
        return "GET", "/api/v1/health", None

    def validate(_w: int, i: int) -> tuple[str, str, str | None]:
        return "POST", "/api/v1/codes/validate", order(validate_code, f"V-{i}")

    def redeem(w: int, i: int) -> tuple[str, str, str | None]:
        with code_lock:
            code = next(next_code)
        return "POST", "/api/v1/codes/redeem", order(code, f"R-{w}-{i}-{time.time_ns()}")

    lines = ["| endpoint | clients | requests/s | p50 ms | p99 ms | n |",
             "|---|---|---|---|---|---|"]
    with served(workers=args.workers) as port:
        bench(port, 1.0, 2, health, headers)  # warm-up: import Django, cache the rules
        bench(port, 1.0, 2, validate, headers)
        for clients in (1, args.threads):
            for label, fn in (("GET /api/v1/health (trivial JSON)", health),
                              ("POST /api/v1/codes/validate", validate),
                              ("POST /api/v1/codes/redeem", redeem)):
                rate, lat = bench(port, args.seconds, clients, fn, headers)
                lines.append(row(label, clients, rate, lat))
                print(lines[-1], flush=True)
        outcome = race(port, args.race, race_code, headers)
    print()
    print("\n".join(lines))
    print(f"\nrace: {args.race} simultaneous redeems of one code over HTTP -> "
          + ", ".join(f"{n} x {status}" for status, n in sorted(outcome.items())))
    assert outcome == Counter({200: 1, 409: args.race - 1}), outcome
    live = Redemption.objects.filter(code__code=race_code.replace("-", "")).count()
    print(f"redemptions stored for the raced code: {live}")


if __name__ == "__main__":
    main()
