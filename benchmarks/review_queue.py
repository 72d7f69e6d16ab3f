"""Review desk server time with 10 thousand and with 1 million claims (PostgreSQL).

Creates one throw-away database per size (rabatt_queue_bench_<size>, dropped afterwards), fills
it with INSERT ... SELECT generate_series, and times the queue page (several filters, a deep
keyset page) and the claim page in-process with Django's test client (server time:
middleware, queries, templates; no network), alternating between the databases round by round.
Writes benchmarks/review_queue.md.

Usage: python benchmarks/review_queue.py [--sizes 10000 1000000] [--repeat 30]
       [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# This file is named like the standard library's queue module: take its folder off the path
# (psycopg imports queue) and import the project from the repository root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
from benchmarks._claims_data import (  # noqa: E402
    add_database_arguments,
    fill_claims,
    size_table,
    throwaway_databases,
    time_pages,
    use_database,
)
from benchmarks._common import ROOT  # noqa: E402

DB = "rabatt_queue_bench"
# Indexes the desk asks the claims app for (docs/review-desk.md); --without-proposed-indexes
# measures the tables as they are today.
PROPOSED_INDEXES = [
    "CREATE INDEX IF NOT EXISTS claims_claim_status_info_req ON claims_claim "
    "(status, info_requested_at)",
    "CREATE INDEX IF NOT EXISTS claims_claim_status_pay_due ON claims_claim "
    "(status, payment_due_at)",
]
def deep_cursor(client, url: str, pages: int) -> str:
    """Follow "next page" ``pages`` times and return that page's URL."""
    import html
    import re

    for _ in range(pages):
        found = re.search(r'href="([^"]+)" rel="next"', client.get(url).content.decode())
        if not found:
            break
        url = html.unescape(found.group(1))
    return url


def main() -> int:
    parser = argparse.ArgumentParser()
    add_database_arguments(parser)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--without-proposed-indexes", action="store_true")
    args = parser.parse_args()
    with throwaway_databases(args, DB) as names:
        return run(args, names)


def prepare(args: argparse.Namespace, size: int) -> tuple[object, dict[str, str], float]:
    """Migrate, load the campaign, a staff user and one real claim, then ``size`` claims."""
    from django.core.management import call_command
    from django.db import connection

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.claims.tests.factories import claim_factory
    from rabatt.review.tests.factories import staff_user, verified_client

    call_command("setup", verbosity=0)
    if not args.without_proposed_indexes:
        with connection.cursor() as cur:
            for sql in PROPOSED_INDEXES:
                cur.execute(sql)
    campaign, _ = campaign_load(data=load_path(
        ROOT / "examples" / "campaigns" / "sonos-summer-2019.yaml"))
    agent = staff_user("agent")
    claim = claim_factory(campaign)  # a real claim (sealed bank details, a receipt) to open
    seconds = fill_claims(size=size, campaign_id=campaign.pk)
    client = verified_client(agent)
    pages = {
        "queue: to review (default)": "/staff/",
        "queue: approved, by payment due": "/staff/?status=approved",
        "queue: info requested": "/staff/?status=info_requested",
        "queue: country NO": "/staff/?country=NO",
        "queue: risk flags": "/staff/?risk=on",
        "queue: all statuses": "/staff/?status=all",
        "queue: page 20 (keyset)": deep_cursor(client, "/staff/", 19),
        "claim page": f"/staff/claims/{claim.reference}/",
    }
    return client, pages, seconds


def run(args: argparse.Namespace, names: dict[int, str]) -> int:
    import django

    django.setup()
    clients, pages, fill_times = {}, {}, {}
    for size, name in names.items():
        use_database(name)
        clients[size], pages[size], fill_times[size] = prepare(args, size)
        print(f"{size:,} claims inserted in {fill_times[size]:.0f} s", flush=True)
    results = time_pages(names=names, clients=clients, pages=pages, repeat=args.repeat,
                         warm="/staff/")
    write_table(args, results, fill_times)
    return 0


def write_table(args: argparse.Namespace, results: dict[str, dict[int, list[float]]],
                fill_times: dict[int, float]) -> None:
    lines = size_table(title="Review desk: server time with growing claim tables",
                       script="review_queue.py", repeat=args.repeat, results=results)
    lines += [
        "",
        "Rows generated with `INSERT ... SELECT generate_series` (codes, subjects, claims): "
        + ", ".join(f"{s:,} in {t:.0f} s" for s, t in fill_times.items()) + ".",
        ("Without the two indexes proposed for claims" if args.without_proposed_indexes else
         "With the two indexes proposed for claims (`(status, info_requested_at)`, "
         "`(status, payment_due_at)`; see docs/review-desk.md)") + ". 1 % of claims carry a "
        "risk signal, spread over every state; the risk filter walks a state's index until it "
        "has a page, so a state with almost no risky claims is its worst case.",
        "Counts per state are cached for a minute, so the warm runs above do not include the "
        "GROUP BY over the whole table (a cold count at 1 million claims costs a few hundred ms "
        "once a minute).",
        "",
    ]
    (ROOT / "benchmarks" / "review_queue.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
