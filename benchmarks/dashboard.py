"""Dashboard and summary API server time with 10 thousand and with 1 million claims (PostgreSQL).

Creates one throw-away database per size (rabatt_dashboard_bench_<size>, dropped afterwards),
fills it with INSERT ... SELECT generate_series (codes, subjects, claims over 50 days and 18
countries), builds the day rollups from those claims in one GROUP BY (what the claim history
hook keeps up to date one event at a time), and times the dashboard page (every panel, with
and without filters) and GET /api/v1/staff/reports/summary in-process with Django's test client
(server time: middleware, queries, templates; no network), alternating between the databases
round by round. Checks that the summary counts every claim. Writes benchmarks/dashboard.md.

Usage: python benchmarks/dashboard.py [--sizes 10000 1000000] [--repeat 30]
       [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, machine, percentile

DB = "rabatt_dashboard_bench"
STATUSES = [("submitted", 10), ("in_review", 5), ("info_requested", 3), ("approved", 30),
            ("paid", 40), ("rejected", 9), ("lapsed", 1), ("withdrawn", 1), ("voided", 1)]
COUNTRIES = [("AU", "AUD"), ("AT", "EUR"), ("BE", "EUR"), ("CA", "CAD"), ("DK", "DKK"),
             ("FI", "EUR"), ("FR", "EUR"), ("DE", "EUR"), ("IE", "EUR"), ("IT", "EUR"),
             ("NL", "EUR"), ("NO", "NOK"), ("PL", "PLN"), ("ES", "EUR"), ("SE", "SEK"),
             ("CH", "CHF"), ("GB", "GBP"), ("US", "USD")]


def admin_sql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def status_case() -> str:
    parts, upper = [], 0
    for status, share in STATUSES:
        upper += share
        parts.append(f"WHEN mod(g::bigint * 7919, 100) < {upper} THEN '{status}'")
    return "CASE " + " ".join(parts) + " END"


def fill(*, size: int, campaign_id: int) -> float:
    """Insert ``size`` claims and their day rollups; return seconds."""
    from django.db import connection

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
        # Only constants of this file are formatted into the SQL.
        cur.execute(f"""
            WITH s AS (
              SELECT g, {status_case()} AS status,
                     timestamptz '2019-07-21' + mod(g, 86400) * interval '1 second'
                       + mod(g / 7, 50) * interval '1 day' AS submitted
              FROM generate_series(0, %(last)s) g)
            INSERT INTO claims_claim (
              reference, campaign_id, code_id, subject_id, status, locale, first_name,
              last_name, email, phone, address_line1, address_line2, postcode, city,
              address_country, purchase_country, channel, retailer_id, purchased_at,
              order_number, currency, amount, capped, terms_version, declarations,
              marketing_consent, submitted_at, info_requested_at, info_due_at, decided_at,
              decided_automatically, payment_due_at, bank_holder_match, updated_at)
            SELECT 'BN-' || g, %(campaign)s, c.id, md5('subject' || g)::uuid, s.status, 'en',
              'First' || g, 'Last', 'p' || g || '@example.com', '', 'Street ' || g, '',
              lpad(mod(g, 9999)::text, 4, '0'), 'City', ({countries})[1 + mod(g, 18)],
              ({countries})[1 + mod(g, 18)], 'retailer', NULL, s.submitted - interval '3 days',
              '', ({currencies})[1 + mod(g, 18)], 10 + mod(g, 140), false, '1', '{{}}'::jsonb,
              false, s.submitted,
              CASE WHEN s.status = 'info_requested' THEN s.submitted + interval '2 days' END,
              CASE WHEN s.status = 'info_requested' THEN s.submitted + interval '9 days' END,
              CASE WHEN s.status IN ('approved', 'paid', 'rejected', 'voided')
                   THEN s.submitted + mod(g, 10) * interval '1 day' END, mod(g, 3) = 0,
              CASE WHEN s.status IN ('approved', 'paid')
                   THEN s.submitted + interval '33 days' END,
              CASE WHEN mod(g, 97) = 0 THEN 0.2 ELSE 1.0 END, now()
            FROM s JOIN codes_code c ON c.code = 'BENCH' || s.g""", params)  # noqa: S608
        # The day rollups of those claims: what reports.services keeps up to date event by
        # event, built here in one statement.
        cur.execute("""
            INSERT INTO reports_claimday (
              campaign_id, day, country, currency, status, claims, amount, decided, decided_7d,
              decision_seconds, automatic, paid, paid_30d, paid_seconds, checked, verified,
              duplicates, low_match)
            SELECT campaign_id, (submitted_at AT TIME ZONE 'UTC')::date, purchase_country,
              currency, status, count(*), sum(amount), count(decided_at),
              count(*) FILTER (WHERE decided_at - submitted_at <= interval '7 days'),
              coalesce(sum(extract(epoch FROM decided_at - submitted_at)), 0)::bigint,
              count(*) FILTER (WHERE decided_automatically AND decided_at IS NOT NULL),
              count(*) FILTER (WHERE status = 'paid'), count(*) FILTER (WHERE status = 'paid'),
              (count(*) FILTER (WHERE status = 'paid')) * 20 * 86400, count(*),
              count(*) FILTER (WHERE mod(id, 5) <> 0), count(*) FILTER (WHERE mod(id, 89) = 0),
              count(*) FILTER (WHERE bank_holder_match < 0.6)
            FROM claims_claim WHERE campaign_id = %(campaign)s GROUP BY 1, 2, 3, 4, 5""",
                    params)
        cur.execute("""
            INSERT INTO reports_reasonday (campaign_id, day, country, kind, reason, count)
            SELECT campaign_id, (decided_at AT TIME ZONE 'UTC')::date, purchase_country,
              'reject', CASE WHEN mod(id, 3) = 0 THEN 'not_eligible' ELSE 'blurred' END,
              count(*)
            FROM claims_claim WHERE campaign_id = %(campaign)s AND status = 'rejected'
            GROUP BY 1, 2, 3, 4, 5""", params)
        cur.execute("ANALYZE codes_code; ANALYZE privacy_subject; ANALYZE claims_claim; "
                    "ANALYZE reports_claimday; ANALYZE reports_reasonday;")
    return time.perf_counter() - began


def use_database(name: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def prepare(size: int) -> tuple[object, dict[str, object], dict[str, str], float, int]:
    """Migrate, load the campaign and a manager, then ``size`` claims and their rollups."""
    from django.core.management import call_command

    from rabatt.accounts.services import token_create
    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.reports.models import ClaimDay
    from rabatt.review.tests.factories import staff_user, verified_client

    call_command("setup", verbosity=0)
    campaign, _ = campaign_load(data=load_path(
        ROOT / "examples" / "campaigns" / "sonos-summer-2019.yaml"))
    manager = staff_user("campaign_manager")
    seconds = fill(size=size, campaign_id=campaign.pk)
    client = verified_client(manager)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=manager)[1]}"}
    slug = campaign.slug
    pages = {
        "dashboard, whole campaign": f"/staff/reports/?campaign={slug}",
        "dashboard, country NO": f"/staff/reports/?campaign={slug}&country=NO",
        "dashboard, one week": f"/staff/reports/?campaign={slug}&since=2019-08-01"
                               "&until=2019-08-07",
        "summary API, whole campaign": f"/api/v1/staff/reports/summary?campaign={slug}",
        "summary API, country SE, one week": f"/api/v1/staff/reports/summary?campaign={slug}"
                                             "&country=SE&since=2019-08-01&until=2019-08-07",
    }
    return client, auth, pages, seconds, ClaimDay.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()

    names = {size: f"{DB}_{size}" for size in args.sizes}
    for name in names.values():
        admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {name}")
        admin_sql(args.admin_url, f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = args.admin_url.rsplit("/", 1)[0] + f"/{names[args.sizes[0]]}"
    os.environ["RABATT_HOME"] = tempfile.mkdtemp(prefix="rabatt-dashboard-bench-")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["RATE_LIMITS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rabatt.settings"
    try:
        return run(args, names)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            for name in names.values():
                admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {name}")


def run(args: argparse.Namespace, names: dict[int, str]) -> int:
    import django

    django.setup()
    clients, auths, pages, fill_times, rollup_rows = {}, {}, {}, {}, {}
    for size, name in names.items():
        use_database(name)
        clients[size], auths[size], pages[size], fill_times[size], rollup_rows[size] = \
            prepare(size)
        print(f"{size:,} claims inserted in {fill_times[size]:.0f} s "
              f"({rollup_rows[size]:,} rollup rows)", flush=True)
    results: dict[str, dict[int, list[float]]] = {
        n: {s: [] for s in names} for n in pages[args.sizes[0]]}
    for round_ in range(args.repeat + 1):
        for size, name in names.items():
            use_database(name)
            client = clients[size]
            client.get("/staff/reports/?country=XX")  # a fresh connection, untimed
            for page, url in pages[size].items():
                extra = auths[size] if "/api/" in url else {}
                began = time.perf_counter()
                response = client.get(url, **extra)
                elapsed = time.perf_counter() - began
                assert response.status_code == 200, (url, response.status_code)
                if round_ == 0 and page == "summary API, whole campaign":
                    counted = sum(response.json()["claims_by_status"].values())
                    assert counted == size, (counted, size)  # every claim counted once
                if round_:  # the first round only warms up
                    results[page][size].append(elapsed)
    write_table(args, results, fill_times, rollup_rows)
    return 0


def write_table(args: argparse.Namespace, results: dict[str, dict[int, list[float]]],
                fill_times: dict[int, float], rollup_rows: dict[int, int]) -> None:
    small, large = min(args.sizes), max(args.sizes)
    lines = [
        "# Dashboard and summary API: server time with growing claim tables",
        "",
        "Measured by `python benchmarks/dashboard.py` (PostgreSQL, Django test client "
        "in-process: middleware, queries and templates, no network), median and p95 of "
        f"{args.repeat} requests per page and size after a warm-up round, the sizes measured in "
        "alternating rounds (so the load of the shared machine falls on both alike). "
        f"Machine: {machine()}, shared with other jobs.",
        "",
        f"| page | {small:,} claims: median / p95 | {large:,} claims: median / p95 "
        "| ratio (medians) |",
        "|---|---|---|---|",
    ]
    for name, by_size in results.items():
        a, b = by_size[small], by_size[large]
        ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
        lines.append(f"| {name} | {ma:.1f} / {percentile(a, 95) * 1000:.1f} ms | "
                     f"{mb:.1f} / {percentile(b, 95) * 1000:.1f} ms | {mb / ma:.2f} |")
    lines += [
        "",
        "Claims spread over 50 days and 18 countries (10 currencies), nine statuses. Rollup "
        "rows (campaign × day × country × currency × status): "
        + ", ".join(f"{rollup_rows[s]:,} for {s:,} claims" for s in sorted(rollup_rows))
        + ". The dashboard reads these, never the claims, so its cost follows days × countries "
        "× statuses, not the number of claims.",
        "Rows generated with `INSERT ... SELECT generate_series`: "
        + ", ".join(f"{s:,} in {t:.0f} s" for s, t in fill_times.items()) + ".",
        "",
    ]
    (ROOT / "benchmarks" / "dashboard.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
