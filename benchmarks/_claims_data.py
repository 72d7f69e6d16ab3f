"""Claims in bulk for the PostgreSQL benchmarks: throw-away databases filled with SQL.

The dashboard, review queue and exports benchmarks measure pages over 10 thousand and 1 million
claims. Made through the services that would take hours, so the rows are written with
``INSERT ... SELECT generate_series`` in the shape the services leave them (a used code, a
subject, the claim; the dashboard's day rollups on request). The numbers only need to look like
a campaign some weeks after its end: the shares of the statuses, 18 countries, their currencies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Share of generated claims per status (roughly a campaign some weeks after its end).
STATUSES = [("submitted", 10), ("in_review", 5), ("info_requested", 3), ("approved", 30),
            ("paid", 40), ("rejected", 9), ("lapsed", 1), ("withdrawn", 1), ("voided", 1)]
COUNTRIES = [("AU", "AUD"), ("AT", "EUR"), ("BE", "EUR"), ("CA", "CAD"), ("DK", "DKK"),
             ("FI", "EUR"), ("FR", "EUR"), ("DE", "EUR"), ("IE", "EUR"), ("IT", "EUR"),
             ("NL", "EUR"), ("NO", "NOK"), ("PL", "PLN"), ("ES", "EUR"), ("SE", "SEK"),
             ("CH", "CHF"), ("GB", "GBP"), ("US", "USD")]


def admin_sql(admin_url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE or DROP DATABASE)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options every size-comparing benchmark takes."""
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")


@contextmanager
def throwaway_databases(args: argparse.Namespace, prefix: str) -> Iterator[dict[int, str]]:
    """Create one empty database per size, point Django at the first, drop them afterwards.

    Yields ``{size: database name}``; Django is not set up yet (the caller does it).
    """
    names = {size: f"{prefix}_{size}" for size in args.sizes}
    for name in names.values():
        admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {name}")
        admin_sql(args.admin_url, f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = args.admin_url.rsplit("/", 1)[0] + f"/{names[args.sizes[0]]}"
    os.environ["RABATT_HOME"] = tempfile.mkdtemp(prefix=f"{prefix}-")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["RATE_LIMITS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rabatt.settings"
    try:
        yield names
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            for name in names.values():
                admin_sql(args.admin_url, f"DROP DATABASE IF EXISTS {name}")


def use_database(name: str) -> None:
    """Point Django's default connection at another database (between requests only)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def status_case() -> str:
    """Return SQL mapping g (the series number) to a status with the shares above."""
    parts, upper = [], 0
    for status, share in STATUSES:
        upper += share
        parts.append(f"WHEN mod(g::bigint * 7919, 100) < {upper} THEN '{status}'")
    return "CASE " + " ".join(parts) + " END"


def fill_claims(*, size: int, campaign_id: int) -> float:
    """Insert ``size`` used codes, subjects and claims in three statements; return seconds."""
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
              last_name, email, email_pattern, phone, address_line1, address_line2, postcode,
              city, address_country, purchase_country, channel, retailer_id, purchased_at,
              order_number, currency, amount, capped, terms_version, declarations,
              marketing_consent, submitted_at, info_requested_at, info_due_at, decided_at,
              decided_automatically, payment_due_at, bank_holder_match, device_fingerprint,
              updated_at)
            SELECT 'BN-' || g, %(campaign)s, c.id, md5('subject' || g)::uuid, s.status, 'en',
              'First' || g, 'Last', 'p' || g || '@example.com', 'p#@example.com', '',
              'Street ' || g, '', lpad(mod(g, 9999)::text, 4, '0'), 'City',
              ({countries})[1 + mod(g, 18)], ({countries})[1 + mod(g, 18)], 'retailer', NULL,
              s.submitted - interval '3 days', '', ({currencies})[1 + mod(g, 18)],
              10 + mod(g, 140), false, '1', '{{}}'::jsonb, false, s.submitted,
              CASE WHEN s.status = 'info_requested' THEN s.submitted + interval '2 days' END,
              CASE WHEN s.status = 'info_requested' THEN s.submitted + interval '9 days' END,
              CASE WHEN s.status IN ('approved', 'paid', 'rejected', 'voided')
                   THEN s.submitted + mod(g, 10) * interval '1 day' END, mod(g, 3) = 0,
              CASE WHEN s.status IN ('approved', 'paid')
                   THEN s.submitted + interval '33 days' END,
              CASE WHEN mod(g, 97) = 0 THEN 0.2 ELSE 1.0 END, '', now()
            FROM s JOIN codes_code c ON c.code = 'BENCH' || s.g""", params)  # noqa: S608
        cur.execute("ANALYZE codes_code; ANALYZE privacy_subject; ANALYZE claims_claim;")
    return time.perf_counter() - began


def fill_rollups(*, campaign_id: int) -> float:
    """Build the day rollups of a campaign's claims in two statements; return seconds."""
    from django.db import connection

    params = {"campaign": campaign_id}
    began = time.perf_counter()
    with connection.cursor() as cur:
        # What reports.services keeps up to date event by event, built here in one statement.
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
        cur.execute("ANALYZE reports_claimday; ANALYZE reports_reasonday;")
    return time.perf_counter() - began


Check = Callable[[str, int, Any], None]


def time_pages(*, names: dict[int, str], clients: dict[int, Any],
               pages: dict[int, dict[str, str]], repeat: int, warm: str,
               headers: Callable[[int, str], dict[str, str]] | None = None,
               check: Check | None = None) -> dict[str, dict[int, list[float]]]:
    """Time every page at every size in alternating rounds; return seconds per page and size.

    Rounds alternate between the databases, so a change in the machine's load falls on every
    size alike; the first round only warms up (and is where ``check`` looks at the answers).
    """
    first = next(iter(names))
    results: dict[str, dict[int, list[float]]] = {n: {s: [] for s in names} for n in pages[first]}
    for round_ in range(repeat + 1):
        for size, name in names.items():
            use_database(name)
            client = clients[size]
            client.get(warm)  # a fresh connection, untimed
            for page, url in pages[size].items():
                extra = headers(size, url) if headers else {}
                began = time.perf_counter()
                response = client.get(url, **extra)
                elapsed = time.perf_counter() - began
                assert response.status_code == 200, (url, response.status_code)
                if round_:
                    results[page][size].append(elapsed)
                elif check:
                    check(page, size, response)
    return results


def size_table(*, title: str, script: str, repeat: int,
               results: dict[str, dict[int, list[float]]]) -> list[str]:
    """Return a Markdown table of each page's median and p95 at the smallest and largest size."""
    from benchmarks._common import machine, percentile

    sizes = sorted(next(iter(results.values())))
    small, large = sizes[0], sizes[-1]
    lines = [
        f"# {title}",
        "",
        f"Measured by `python benchmarks/{script}` (PostgreSQL, Django test client in-process: "
        f"middleware, queries and templates, no network), median and p95 of {repeat} requests "
        "per page and size after a warm-up round, the sizes measured in alternating rounds (so "
        f"the load of the shared machine falls on both alike). Machine: {machine()}, shared "
        "with other jobs.",
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
    return lines
