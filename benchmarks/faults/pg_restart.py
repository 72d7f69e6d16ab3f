"""PostgreSQL restarted (0.5 s down) under load: every answer is 2xx/4xx or a 503 with
Retry-After, never a 500; the workers ride it out; no acknowledged claim or e-mail is lost,
none sent twice; the site answers again within seconds of the database.

Usage: python benchmarks/faults/pg_restart.py [--claims 100] [--clients 4] [--restarts 2]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.faults._harness import (
    campaign_with_codes,
    django_on,
    stack_up,
    stored_claims,
    submit_claims,
    verdict,
    wait_for_confirmations,
)

QUOTE = ('{"country": "NO", "channel": "retailer", "retailer": "elkjop-no", "purchased_at": '
         '"2019-07-25T14:03:00Z", "claimed_at": "2019-08-01T10:00:00Z", "currency": "NOK", '
         '"lines": [{"product": "beam", "price": "4990.00", "quantity": 1}]}')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--restarts", type=int, default=2)
    args = parser.parse_args()
    stack = stack_up(web_workers=2, receipt_workers=1)
    try:
        django_on(stack)
        slug, codes, purchased = campaign_with_codes(args.claims)
        workers = {name: stack.pids(name) for name in ("worker-email", "worker-receipts-1")}
        browsing: Counter[int] = Counter()
        no_retry_after = [0]
        recoveries: list[float] = []
        stop = threading.Event()

        def browse() -> None:
            # Pages and API reads beside the claims: what a visitor sees during the restart.
            while not stop.is_set():
                for method, path, body in (("GET", "/", None),
                                           ("GET", "/api/v1/campaigns/sonos-summer-2019", None),
                                           ("POST", "/api/v1/campaigns/sonos-summer-2019/quote",
                                            QUOTE)):
                    try:
                        answer = stack.request(method, path, body.encode() if body else None,
                                               {"Content-Type": "application/json"})
                    except OSError:
                        continue
                    browsing[answer.status] += 1
                    if answer.status == 503 and "retry-after" not in answer.headers:
                        no_retry_after[0] += 1

        def restarts() -> None:
            for _ in range(args.restarts):
                time.sleep(8)
                stack.pg.stop(mode="immediate")
                time.sleep(0.5)
                stack.pg.start()
                up = time.monotonic()
                while stack.get("/").status != 200:
                    time.sleep(0.05)
                recoveries.append(time.monotonic() - up)
                print(f"  PostgreSQL restarted; site answered 200 again "
                      f"{recoveries[-1]:.2f} s after it was back", flush=True)

        threads = [threading.Thread(target=browse) for _ in range(2)]
        threads.append(threading.Thread(target=restarts))
        for t in threads:
            t.start()
        tally = submit_claims(stack, slug, codes, purchased, clients=args.clients)
        threads[-1].join()
        stop.set()
        for t in threads:
            t.join()
        refs = list(tally.acknowledged.values())
        stored = stored_claims(refs)
        per_ref, _ = wait_for_confirmations(stack, refs)
        same_workers = all(stack.pids(n) == p for n, p in workers.items())
        print(f"claims: {dict(tally.statuses)}; browsing: {dict(browsing)}")
        fivehundreds = tally.statuses[500] + browsing[500]
        ok = verdict([
            ("HTTP 500 answers", fivehundreds, 0, fivehundreds == 0),
            ("503 answers (all with Retry-After)", tally.statuses[503] + browsing[503],
             "> 0 while down", no_retry_after[0] == 0),
            ("claims acknowledged (201)", len(refs), args.claims, len(refs) == args.claims),
            ("acknowledged claims missing", len(set(refs) - stored), 0, set(refs) <= stored),
            ("confirmations missing", sum(1 for r in refs if per_ref[r] == 0), 0,
             all(per_ref[r] >= 1 for r in refs)),
            ("confirmations sent twice", sum(1 for r in refs if per_ref[r] > 1), 0,
             all(per_ref[r] <= 1 for r in refs)),
            ("site back after the database, s", ", ".join(f"{r:.2f}" for r in recoveries),
             "≤ 10", len(recoveries) == args.restarts and max(recoveries) <= 10),
            ("task workers survived (same processes)", same_workers, True, same_workers),
        ])
        return 0 if ok else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
