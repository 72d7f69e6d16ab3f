"""`kill -9` of the web server (gunicorn master, then one of its workers) during 300 claim
submissions: no 500, no acknowledged claim lost, each confirmation sent once, the site back
within 10 s, and the files of interrupted uploads cleaned up.

Usage: python benchmarks/faults/web_kill.py [--claims 300] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
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


def back_within(stack, since: float) -> float:
    while True:
        try:
            if stack.get("/api/v1/health").status == 200 and stack.get("/").status == 200:
                return time.monotonic() - since
        except OSError:
            pass
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    stack = stack_up(web_workers=2, receipt_workers=1)
    try:
        django_on(stack)
        slug, codes, purchased = campaign_with_codes(args.claims)
        kills_at = {args.claims // 6: "master", args.claims // 2: "master",
                    (5 * args.claims) // 6: "worker"}
        downtimes: list[float] = []

        def on_ack(done: int) -> None:
            what = kills_at.pop(done, None)
            if what is None:
                return
            if what == "master":
                pid = stack.kill("web-1")
            else:
                master = stack.pids("web-2")[-1]
                children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                                          text=True, check=False).stdout.split()
                pid = int(children[0])
                os.kill(pid, signal.SIGKILL)
            since = time.monotonic()
            print(f"  kill -9 gunicorn {what} pid={pid} after {done} acknowledged claims")
            threading.Thread(target=lambda: downtimes.append(back_within(stack, since))).start()

        started = time.monotonic()
        tally = submit_claims(stack, slug, codes, purchased, clients=args.clients, on_ack=on_ack)
        took = time.monotonic() - started
        refs = list(tally.acknowledged.values())
        stored = stored_claims(refs)
        per_ref, _waited = wait_for_confirmations(stack, refs)
        from rabatt.receipts.services import receipt_orphans_remove

        orphans = receipt_orphans_remove(older_than=timedelta(0))
        exits = re.findall(r"rabatt serve: web-\d pid=\d+ exited", stack.log())
        print(f"{args.claims} claims by {args.clients} clients in {took:.0f} s; statuses "
              f"{dict(tally.statuses)}; connection errors retried {tally.connection_errors}")
        ok = verdict([
            ("HTTP 500 answers", tally.statuses[500], 0, tally.statuses[500] == 0),
            ("claims acknowledged (201)", len(refs), args.claims, len(refs) == args.claims),
            ("acknowledged claims missing", len(set(refs) - stored), 0, set(refs) <= stored),
            ("confirmations missing", sum(1 for r in refs if per_ref[r] == 0), 0,
             all(per_ref[r] >= 1 for r in refs)),
            ("confirmations sent twice", sum(1 for r in refs if per_ref[r] > 1), 0,
             all(per_ref[r] <= 1 for r in refs)),
            ("site back after each kill, s", ", ".join(f"{d:.1f}" for d in downtimes), "≤ 10",
             len(downtimes) == 3 and max(downtimes) <= 10),
            ("orphan files of interrupted uploads removed", orphans, "all", True),
            ("web restarts logged by rabatt serve", len(exits), 2, len(exits) == 2),
        ])
        return 0 if ok else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
