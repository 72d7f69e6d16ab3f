"""`kill -9` of the task workers (e-mail, then receipt reading) while claims come in:
`rabatt serve` restarts them, the site stays up, the task a dead worker held is run again
after its lease (no cron), every confirmation is sent exactly once and every receipt read.

Usage: python benchmarks/faults/worker_kill.py [--claims 40] [--clients 2]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=40)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    stack = stack_up(web_workers=2, receipt_workers=1)
    try:
        django_on(stack)
        slug, codes, purchased = campaign_with_codes(args.claims)
        kills = {args.claims // 4: "worker-email", args.claims // 2: "worker-receipts-1"}
        site_during: list[int] = []

        def on_ack(done: int) -> None:
            name = kills.pop(done, None)
            if name is not None:
                pid = stack.kill(name)
                print(f"  kill -9 {name} pid={pid} after {done} acknowledged claims",
                      flush=True)
                site_during.append(stack.get("/").status)

        tally = submit_claims(stack, slug, codes, purchased, clients=args.clients,
                              on_ack=on_ack)
        refs = list(tally.acknowledged.values())
        stored = stored_claims(refs)
        started = time.monotonic()
        per_ref, _ = wait_for_confirmations(stack, refs, timeout=400)
        from rabatt.receipts.models import CheckStatus, ReceiptCheck

        while time.monotonic() - started < 400:
            unread = ReceiptCheck.objects.filter(claim__reference__in=refs,
                                                 status=CheckStatus.READING).count()
            if unread == 0:
                break
            time.sleep(2)
        read = ReceiptCheck.objects.filter(claim__reference__in=refs).exclude(
            status=CheckStatus.READING).count()
        log = stack.log()
        restarted = re.findall(r"rabatt serve: (worker-\S+) pid=\d+ exited with signal SIGKILL",
                               log)
        reclaimed = log.count("put back in the queue")
        print(f"claims: {dict(tally.statuses)}; tasks of dead workers put back: {reclaimed}; "
              f"all done {time.monotonic() - started:.0f} s after the last claim")
        ok = verdict([
            ("HTTP 500 answers", tally.statuses[500], 0, tally.statuses[500] == 0),
            ("site answered while a worker was dead", site_during, "200s",
             all(s == 200 for s in site_during)),
            ("killed workers restarted by rabatt serve", len(restarted), 2, len(restarted) == 2),
            ("acknowledged claims missing", len(set(refs) - stored), 0, set(refs) <= stored),
            ("confirmations missing", sum(1 for r in refs if per_ref[r] == 0), 0,
             all(per_ref[r] >= 1 for r in refs)),
            ("confirmations sent twice", sum(1 for r in refs if per_ref[r] > 1), 0,
             all(per_ref[r] <= 1 for r in refs)),
            ("claims whose receipts were read", read, len(refs), read == len(refs)),
        ])
        return 0 if ok else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
