"""Cost of the request id, JSON access log (with redaction) and metrics middlewares.

Runs the same requests in-process through the full middleware stack and through the stack
without the two observability middlewares, interleaved round by round, and prints the ratio
of the medians (ratios within one run are the reliable figure on a shared machine).

    python benchmarks/observability.py [--rounds 15] [--requests 200]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import django_setup, machine

OURS = ("rabatt.core.logs.RequestIdMiddleware", "rabatt.core.metrics.MetricsMiddleware")
PATHS = ("/healthz", "/track/", "/claims/answer/q7Vx2LmN0pRsTuWy3Za5Bc8De1Fg4Hj6/")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.test import Client, override_settings

    # The access log is written as in production, to a null stream, so formatting counts.
    for handler in logging.getLogger("rabatt.access").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open("/dev/null", "w"))  # noqa: SIM115
    bare = [m for m in settings.MIDDLEWARE if m not in OURS]
    print(f"machine: {machine()}")
    print("| path | without (µs/request) | with (µs/request) | ratio |")
    print("|---|---|---|---|")
    for path in PATHS:
        timings: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.rounds):
            for label, middleware in (("without", bare), ("with", list(settings.MIDDLEWARE))):
                with override_settings(MIDDLEWARE=middleware):
                    client = Client()
                    client.get(path)  # load the middleware chain outside the timing
                    started = time.perf_counter()
                    for _ in range(args.requests):
                        client.get(path)
                    timings[label].append((time.perf_counter() - started) / args.requests)
        without = statistics.median(timings["without"]) * 1e6
        with_ = statistics.median(timings["with"]) * 1e6
        print(f"| `{path}` | {without:.0f} | {with_:.0f} | {with_ / without:.2f} |")


if __name__ == "__main__":
    main()
