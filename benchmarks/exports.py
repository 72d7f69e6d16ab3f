"""Claims export (CSV and XLSX): peak memory and time with 10 thousand and 1 million claims.

Creates one throw-away PostgreSQL database per size (rabatt_exports_bench_<size>, dropped
afterwards unless --keep), fills it with claims shaped as in benchmarks/dashboard.py (INSERT
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


def fill(*, size: int, campaign_id: int) -> float:
    """Insert ``size`` codes, subjects and claims (the export reads claims only); return seconds."""
    from django.db import connection

    from benchmarks.dashboard import COUNTRIES, status_case

    countries = "ARRAY[" + ",".join(f"'{c}'" for c, _ in COUNTRIES) + "]"
    currencies = "ARRAY[" + ",".join(f"'{c}'" for _, c in COUNTRIES) + "]"
    params = {"campaign": campaign_id, "last": size - 1}
    began = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO codes_code (campaign_id, channel, code, status, used_at, created_at)
            SELECT %(campaign)s, 'retailer', 'BENCH' || g, 'used', now(), now()
            FROM generate_series(0, %(last)s) g""", params)
        cur.execute("""
            INSERT INTO privacy_subject (id, email_digest, wrapped_key, created_at)
            SELECT md5('subject' || g)::uuid, md5('email' || g), NULL, now()
            FROM generate_series(0, %(last)s) g""", params)
        # Only constants of this file and of dashboard.py are formatted into the SQL.
        cur.execute(f"""
            WITH s AS (
              SELECT g, {status_case()} AS status,
                     timestamptz '2019-07-21' + mod(g, 86400) * interval '1 second'
                       + mod(g / 7, 50) * interval '1 day' AS submitted
              FROM generate_series(0, %(last)s) g)
            INSERT INTO claims_claim (
              reference, campaign_id, code_id, subject_id, status, locale, first_name,
              last_name, email, email_pattern, phone, address_line1, address_line2, postcode,
              city, address_country, purchase_country, channel, retailer_id, purchased_at,
              order_number, currency, amount, capped, terms_version, declarations,
              marketing_consent, submitted_at, info_requested_at, info_due_at, decided_at,
              decided_automatically, payment_due_at, bank_holder_match, updated_at)
            SELECT 'BN-' || g, %(campaign)s, c.id, md5('subject' || g)::uuid, s.status, 'en',
              'First' || g, 'Last', 'p' || g || '@example.com', 'p#@example.com', '',
              'Street ' || g, '', lpad(mod(g, 9999)::text, 4, '0'), 'City',
              ({countries})[1 + mod(g, 18)], ({countries})[1 + mod(g, 18)], 'retailer', NULL,
              s.submitted - interval '3 days', '', ({currencies})[1 + mod(g, 18)],
              10 + mod(g, 140), false, '1', '{{}}'::jsonb, false, s.submitted, NULL, NULL,
              CASE WHEN s.status IN ('approved', 'paid', 'rejected', 'voided')
                   THEN s.submitted + mod(g, 10) * interval '1 day' END, mod(g, 3) = 0,
              CASE WHEN s.status IN ('approved', 'paid')
                   THEN s.submitted + interval '33 days' END, 1.0, now()
            FROM s JOIN codes_code c ON c.code = 'BENCH' || s.g""", params)  # noqa: S608
        cur.execute("ANALYZE codes_code; ANALYZE privacy_subject; ANALYZE claims_claim;")
    return time.perf_counter() - began


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
    print(json.dumps({"fill_seconds": fill(size=size, campaign_id=campaign.pk)}))


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
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child-prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        child_prepare(args.child_prepare)
        return 0
    if args.child_measure:
        child_measure(args.child_measure)
        return 0

    from benchmarks.dashboard import admin_sql

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
