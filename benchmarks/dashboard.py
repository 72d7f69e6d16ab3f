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
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._claims_data import (
    add_database_arguments,
    fill_claims,
    fill_rollups,
    throwaway_databases,
    use_database,
)
from benchmarks._common import ROOT, machine, percentile

DB = "rabatt_dashboard_bench"


def fill(*, size: int, campaign_id: int) -> float:
    """Insert ``size`` claims and their day rollups; return seconds."""
    return fill_claims(size=size, campaign_id=campaign_id) + fill_rollups(campaign_id=campaign_id)


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
    add_database_arguments(parser)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with throwaway_databases(args, DB) as names:
        return run(args, names)


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
