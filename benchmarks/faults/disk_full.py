"""The upload disk full, then read-only, while claims come in: a 503 with Retry-After and a
kind message (never a 500), nothing half-stored, the rest of the site up, and claims go
through again as soon as there is room.

Needs root (it mounts a small tmpfs over the upload folder).
Usage: python benchmarks/faults/disk_full.py [--claims 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
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
)


def mount(*options: str, where: Path) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
                   check=True)


def remount(option: str, where: Path) -> None:
    subprocess.run(["mount", "-o", f"remount,{option}", str(where)], check=True)


def phase(stack, slug, codes, purchased, where: Path, break_it: str, fix_it: str):
    remount(break_it, where)
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(
        tally=submit_claims(stack, slug, codes, purchased, clients=2)))
    worker.start()
    time.sleep(8)
    site = [stack.get("/").status, stack.get("/api/v1/campaigns/sonos-summer-2019").status]
    remount(fix_it, where)
    fixed = time.monotonic()
    worker.join()
    return result["tally"], site, time.monotonic() - fixed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10)
    args = parser.parse_args()
    stack = stack_up(web_workers=2, receipt_workers=1)
    where = stack.home / "files" / "receipts"
    where.mkdir(parents=True, exist_ok=True)
    mounted = False
    try:
        django_on(stack)
        slug, codes, purchased = campaign_with_codes(2 * args.claims)
        mount("size=200m", "mode=0700", where=where)
        mounted = True
        full, site_full, _ = phase(stack, slug, codes[:args.claims], purchased, where,
                                   "size=4k", "size=200m")
        ro, site_ro, _ = phase(stack, slug, codes[args.claims:], purchased, where, "ro", "rw")
        statuses = full.statuses + ro.statuses
        refs = list(full.acknowledged.values()) + list(ro.acknowledged.values())
        stored = stored_claims(refs)
        leftovers = [p.name for p in where.rglob("*.tmp")]
        print(f"full disk: {dict(full.statuses)}; read-only disk: {dict(ro.statuses)}")
        ok = verdict([
            ("HTTP 500 answers", statuses[500], 0, statuses[500] == 0),
            ("503 storage_unavailable while broken", statuses[503], "> 0", statuses[503] > 0),
            ("site and API pages while broken", site_full + site_ro, "200s",
             all(s == 200 for s in site_full + site_ro)),
            ("claims acknowledged once fixed", len(refs), 2 * args.claims,
             len(refs) == 2 * args.claims),
            ("acknowledged claims missing", len(set(refs) - stored), 0, set(refs) <= stored),
            ("half-written files left", len(leftovers), 0, not leftovers),
        ])
        return 0 if ok else 1
    finally:
        stack.stop()
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)


if __name__ == "__main__":
    sys.exit(main())
