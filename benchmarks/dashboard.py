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
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._claims_data import (
    add_database_arguments,
    fill_claims,
    fill_rollups,
    size_table,
    throwaway_databases,
    time_pages,
    use_database,
)
from benchmarks._common import ROOT

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

    def every_claim_counted(page: str, size: int, response: Any) -> None:
        if page == "summary API, whole campaign":
            counted = sum(response.json()["claims_by_status"].values())
            assert counted == size, (counted, size)

    results = time_pages(
        names=names, clients=clients, pages=pages, repeat=args.repeat,
        warm="/staff/reports/?country=XX",
        headers=lambda size, url: auths[size] if "/api/" in url else {},
        check=every_claim_counted)
    write_table(args, results, fill_times, rollup_rows)
    return 0


def write_table(args: argparse.Namespace, results: dict[str, dict[int, list[float]]],
                fill_times: dict[int, float], rollup_rows: dict[int, int]) -> None:
    lines = size_table(title="Dashboard and summary API: server time with growing claim tables",
                       script="dashboard.py", repeat=args.repeat, results=results)
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
