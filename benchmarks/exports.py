"""Claims export (CSV and XLSX): peak memory and time with 10 thousand and 1 million claims.

Creates one throw-away PostgreSQL database per size (rabatt_exports_bench_<size>, dropped
afterwards unless --keep), fills it with claims from benchmarks/_claims_data.py (INSERT
... SELECT generate_series), then measures each export in a fresh child process, so that one
measurement's peak cannot hide in another's: the child sets Django up, logs a campaign manager
in, requests /staff/reports/export/claims.<fmt> with the test client (in-process: middleware,
query, writer) and reads the whole streamed body. It reports the resident memory before the
request, the peak resident memory of the process (getrusage), the time to the last byte, the
bytes and the rows. Flat memory means the peak does not grow with the number of rows.

Usage: python benchmarks/exports.py [--sizes 10000 1000000]
       [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._claims_data import add_database_arguments, admin_sql, fill_claims
from benchmarks._common import ROOT, machine

DB = "rabatt_exports_bench"
SLUG = "sonos-summer-2019"
MANAGER = "exports-bench@rabatt.test"


def _env(admin_url: str, name: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(DATABASE_URL=admin_url.rsplit("/", 1)[0] + f"/{name}",
               RABATT_HOME=tempfile.mkdtemp(prefix="rabatt-exports-bench-"),
               TASKS_BACKEND="immediate", RATE_LIMITS="0",
               DJANGO_SETTINGS_MODULE="rabatt.settings")
    return env


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_prepare(size: int) -> None:
    """Migrate, load the campaign and a manager, then insert ``size`` claims."""
    import django

    django.setup()
    from django.core.management import call_command

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.review.tests.factories import staff_user

    call_command("setup", verbosity=0)
    campaign, _ = campaign_load(data=load_path(
        ROOT / "examples" / "campaigns" / f"{SLUG}.yaml"))
    staff_user("campaign_manager", MANAGER)
    print(json.dumps({"fill_seconds": fill_claims(size=size, campaign_id=campaign.pk)}))


def child_measure(fmt: str) -> None:
    """Stream one export and report memory and time (run in a fresh process)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from rabatt.review.tests.factories import verified_client

    client = verified_client(get_user_model().objects.get(email=MANAGER))
    client.get(f"/staff/reports/?campaign={SLUG}")  # imports, templates, connection: untimed
    before = _rss_kib()
    began = time.perf_counter()
    response = client.get(f"/staff/reports/export/claims.{fmt}?campaign={SLUG}")
    assert response.status_code == 200, response.status_code
    size = newlines = 0
    first = b""
    for chunk in response.streaming_content:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        if not first:
            first = data[:4]
        size += len(data)
        newlines += data.count(b"\n")
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"before_kib": before, "peak_kib": peak, "seconds": seconds,
                      "bytes": size, "csv_lines": newlines if fmt == "csv" else None,
                      "zip": first.startswith(b"PK")}))


def _child(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *args], env=env, check=False,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    add_database_arguments(parser)
    parser.add_argument("--child-prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        child_prepare(args.child_prepare)
        return 0
    if args.child_measure:
        child_measure(args.child_measure)
        return 0

    results: dict[tuple[int, str], dict[str, object]] = {}
    fills: dict[int, float] = {}
    try:
        for size in args.sizes:
            name = f"{DB}_{size}"
            admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {name}")
            admin_sql(args.admin_url, f"CREATE DATABASE {name}")
            env = _env(args.admin_url, name)
            fills[size] = float(str(_child(env, "--child-prepare", str(size))["fill_seconds"]))
            print(f"{size:,} claims inserted in {fills[size]:.0f} s", flush=True)
            for fmt in ("csv", "xlsx"):
                results[size, fmt] = got = _child(env, "--child-measure", fmt)
                if fmt == "csv":
                    assert got["csv_lines"] == size + 1, got  # the header and every claim
                else:
                    assert got["zip"], got
                print(size, fmt, got, flush=True)
    finally:
        if not args.keep:
            for size in args.sizes:
                admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {DB}_{size}")
    write_table(args.sizes, results, fills)
    return 0


def write_table(sizes: list[int], results: dict[tuple[int, str], dict[str, object]],
                fills: dict[int, float]) -> None:
    def cell(size: int, fmt: str) -> str:
        r = results[size, fmt]
        before, peak = int(str(r["before_kib"])) / 1024, int(str(r["peak_kib"])) / 1024
        return (f"{float(str(r['seconds'])):.1f} s, {int(str(r['bytes'])) / 2**20:.1f} MiB out; "
                f"RSS {before:.0f} → peak {peak:.0f} MiB")

    load = os.getloadavg()
    lines = [
        "| export | " + " | ".join(f"{s:,} claims" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
        *(f"| claims, {fmt.upper()} | " + " | ".join(cell(s, fmt) for s in sizes) + " |"
          for fmt in ("csv", "xlsx")),
        "",
        f"Machine: {machine()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}. Rows inserted: "
        + ", ".join(f"{s:,} in {t:.0f} s" for s, t in fills.items()) + ".",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
