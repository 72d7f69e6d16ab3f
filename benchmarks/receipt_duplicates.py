"""Duplicate lookup against a growing store of receipts (PostgreSQL and SQLite).

Fills a throw-away database with N receipt rows whose fingerprints look like real ones: picture
hashes clustered around 2,000 shop templates (each row its template with about 8 random bits
flipped, so one template's receipts crowd the same hash bands), a text fingerprint on 70 % of
rows, and content hashes. Then times ``receipt_duplicates`` (the query the background check runs
for every uploaded file) for three kinds of upload: an exact copy of a stored file, a near copy
(its picture hash with 2 bits flipped) and a new receipt with no match, sizes in alternating
rounds. Writes benchmarks/receipt_duplicates.md.

Usage: python benchmarks/receipt_duplicates.py [--sizes 10000 1000000] [--repeat 200]
       [--engines postgresql sqlite] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, machine, percentile

TEMPLATES = 2000
SCANS = 5
COLUMNS = ("id", "claim_id", "subject_id", "content_type", "page_count", "size", "sha256",
           "original_sha256", "display_name", "added_during", "created_at", "readability",
           "reading_status", "extraction", "verification", "reading_error", "phash",
           "phash_band0", "phash_band1", "phash_band2", "phash_band3", "text_fingerprint")


def signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def rows(count: int, claim_id: int, seed: int = 7) -> Iterator[tuple[object, ...]]:
    """Yield receipt rows with realistic, clustered fingerprints."""
    rng = random.Random(seed)
    templates = [rng.getrandbits(64) for _ in range(TEMPLATES)]
    for g in range(count):
        noise = rng.getrandbits(64) & rng.getrandbits(64) & rng.getrandbits(64)
        phash = templates[g % TEMPLATES] ^ noise
        digest = hashlib.sha256(f"file{g}".encode()).hexdigest()
        text = hashlib.sha256(f"text{g}".encode()).hexdigest() if g % 10 < 7 else ""
        yield (str(uuid.UUID(digest[:32])), claim_id, None, "image/jpeg", 1, 200_000, digest,
               digest, "kvittering.jpg", "submission", "2026-01-01 00:00:00+00:00", "{}",
               "done", "{}", "{}", "", signed(phash), phash & 0xFFFF, (phash >> 16) & 0xFFFF,
               (phash >> 32) & 0xFFFF, (phash >> 48) & 0xFFFF, text)


def fill(count: int, claim_id: int) -> float:
    """Insert ``count`` receipt rows; return seconds."""
    from django.db import connection, transaction

    began = time.perf_counter()
    names = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            with raw.copy(f"COPY receipts_receiptfile ({names}) FROM STDIN") as copy:
                for row in rows(count, claim_id):
                    copy.write_row(row)
            cur.execute("ANALYZE receipts_receiptfile")
        else:
            marks = ", ".join("?" * len(COLUMNS))
            batch: list[tuple[object, ...]] = []
            for row in rows(count, claim_id):
                batch.append(row)
                if len(batch) == 20_000:
                    cur.executemany(f"INSERT INTO receipts_receiptfile ({names}) "  # noqa: S608
                                    f"VALUES ({marks})", batch)
                    batch.clear()
            if batch:
                cur.executemany(f"INSERT INTO receipts_receiptfile ({names}) "  # noqa: S608
                                f"VALUES ({marks})", batch)
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return time.perf_counter() - began


def probes(count: int) -> dict[str, dict[str, object]]:
    """Three uploads to look up: a stored file again, a near copy, and a new receipt."""
    pick = next(row for i, row in enumerate(rows(count, 0)) if i == count // 2)
    near = signed((int(pick[16]) ^ 0b101) & ((1 << 64) - 1))  # type: ignore[call-overload]
    fresh = random.Random(99).getrandbits(64)
    return {
        "exact copy": {"sha256": pick[6], "original_sha256": pick[7], "phash": pick[16],
                       "text_fingerprint": pick[21]},
        "near copy (2 bits)": {"sha256": "0" * 64, "original_sha256": "0" * 64, "phash": near,
                               "text_fingerprint": ""},
        "new receipt": {"sha256": "1" * 64, "original_sha256": "1" * 64,
                        "phash": signed(fresh), "text_fingerprint": "2" * 64},
    }


def prepare(engine: str, size: int, admin_url: str) -> tuple[str, int, float]:
    """Create a database for one size; return its settings name, the claim id and fill time."""
    from django.core.management import call_command
    from django.db import connections

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.review.tests.factories import desk_claim

    call_command("setup", verbosity=0)
    campaign, _ = campaign_load(data=load_path(
        ROOT / "examples" / "campaigns" / "sonos-summer-2019.yaml"))
    owner = desk_claim(campaign)
    seconds = fill(size, owner.pk)
    connections["default"].close()
    return engine, owner.pk, seconds


def lookup(values: dict[str, object]) -> int:
    from rabatt.receipts.models import ReceiptFile
    from rabatt.receipts.reading.fingerprint import from_signed, hash_bands
    from rabatt.receipts.selectors import receipt_duplicates

    phash = int(values["phash"])  # type: ignore[call-overload]
    receipt = ReceiptFile(sha256=values["sha256"], original_sha256=values["original_sha256"],
                          phash=phash, text_fingerprint=values["text_fingerprint"], claim_id=None)
    bands = hash_bands(from_signed(phash))
    (receipt.phash_band0, receipt.phash_band1, receipt.phash_band2,
     receipt.phash_band3) = bands
    return len(receipt_duplicates(receipt=receipt))


def scan(values: dict[str, object]) -> int:
    """The same near-copy question without the band indexes: a scan of every stored hash."""
    from django.db import connection

    from rabatt.receipts.reading.fingerprint import from_signed, hamming

    phash = int(values["phash"])  # type: ignore[call-overload]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT count(*) FROM receipts_receiptfile "
                        "WHERE bit_count((phash # %s)::bit(64)) <= 7", [phash])
        else:
            connection.connection.create_function(
                "hamming", 2, lambda a, b: hamming(from_signed(a), from_signed(b)),
                deterministic=True)
            cur.execute("SELECT count(*) FROM receipts_receiptfile "
                        "WHERE hamming(phash, %s) <= 7", [phash])
        return int(cur.fetchone()[0])


def use(engine: str, name: str, admin_url: str, home: str) -> None:
    from django.db import connections

    connections["default"].close()
    settings = connections["default"].settings_dict
    settings["NAME"] = name if engine == "postgresql" else str(Path(home) / f"{name}.sqlite3")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--engines", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results: dict[tuple[str, str, int], list[float]] = {}
    fills: dict[tuple[str, int], float] = {}
    matches: dict[tuple[str, str, int], int] = {}
    for engine in args.engines:
        run_engine(engine, args, results, fills, matches)
    write_table(args, results, fills, matches)
    return 0


def run_engine(engine: str, args: argparse.Namespace,
               results: dict[tuple[str, str, int], list[float]],
               fills: dict[tuple[str, int], float],
               matches: dict[tuple[str, str, int], int]) -> None:
    import subprocess

    home = tempfile.mkdtemp(prefix="rabatt-dup-bench-")
    names = {size: f"rabatt_dup_bench_{size}" for size in args.sizes}
    env = dict(os.environ, RABATT_HOME=home, TASKS_BACKEND="immediate", RATE_LIMITS="0",
               DJANGO_SETTINGS_MODULE="rabatt.settings")
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
    # One child process per engine: Django's settings are read once per process.
    child = subprocess.run(
        [sys.executable, __file__, "--child", engine, home, args.admin_url, str(args.repeat),
         *map(str, args.sizes)], env=env, capture_output=True, text=True, check=False)
    sys.stderr.write(child.stderr[-3000:])
    for line in child.stdout.splitlines():
        kind, *rest = line.split("\t")
        if kind == "fill":
            fills[(engine, int(rest[0]))] = float(rest[1])
        elif kind == "time":
            results.setdefault((engine, rest[0], int(rest[1])), []).append(float(rest[2]))
        elif kind == "match":
            matches[(engine, rest[0], int(rest[1]))] = int(rest[2])
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f"DROP DATABASE IF EXISTS {name}")


def child(engine: str, home: str, admin_url: str, repeat: int, sizes: list[int]) -> int:
    base = admin_url.rsplit("/", 1)[0]
    first = f"rabatt_dup_bench_{sizes[0]}"
    os.environ["DATABASE_URL"] = (f"{base}/{first}" if engine == "postgresql"
                                  else f"sqlite:///{Path(home) / first}.sqlite3")
    import django

    django.setup()
    for size in sizes:
        use(engine, f"rabatt_dup_bench_{size}", admin_url, home)
        _, _, seconds = prepare(engine, size, admin_url)
        print(f"fill\t{size}\t{seconds:.1f}", flush=True)
    looks = {size: probes(size) for size in sizes}
    for round_ in range(repeat + 1):
        for size in sizes:
            use(engine, f"rabatt_dup_bench_{size}", admin_url, home)
            lookup(looks[size]["new receipt"])  # a fresh connection, untimed
            for kind, values in looks[size].items():
                began = time.perf_counter()
                found = lookup(values)
                elapsed = time.perf_counter() - began
                if round_:
                    print(f"time\t{kind}\t{size}\t{elapsed}")
                else:
                    print(f"match\t{kind}\t{size}\t{found}")
            if round_ <= SCANS:
                values = looks[size]["near copy (2 bits)"]
                began = time.perf_counter()
                found = scan(values)
                elapsed = time.perf_counter() - began
                kind = "near copy, scanning every hash (no index), for comparison"
                print(f"time\t{kind}\t{size}\t{elapsed}" if round_ else
                      f"match\t{kind}\t{size}\t{found}")
    return 0


def write_table(args: argparse.Namespace, results: dict[tuple[str, str, int], list[float]],
                fills: dict[tuple[str, int], float],
                matches: dict[tuple[str, str, int], int]) -> None:
    sizes = sorted(args.sizes)
    lines = [
        "# Duplicate receipts: lookup time against the stored receipts",
        "",
        "Measured by `python benchmarks/receipt_duplicates.py`: `receipt_duplicates` (content "
        "hashes, text fingerprint, picture hash within Hamming distance 7 through the four "
        f"band indexes) in-process, median and p99 of {args.repeat} lookups per kind and size "
        "after a warm-up round, sizes in alternating rounds. Picture hashes are clustered "
        f"around {TEMPLATES:,} shop templates, as receipts are. Machine: {machine()}, "
        "shared with other jobs.",
        f"The scan rows ({SCANS} runs each) ask the near-copy question of every stored hash "
        "instead, to show what the indexes save.",
        "",
        "| engine | upload | " + " | ".join(f"{s:,} receipts: median / p99" for s in sizes)
        + " | found: claims (lookups), rows (scan) |",
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for (engine, kind) in dict.fromkeys((e, k) for e, k, _ in results):
        cells = []
        for size in sizes:
            times = [t * 1000 for t in results.get((engine, kind, size), [])]
            cells.append(f"{statistics.median(times):.2f} / {percentile(times, 99):.2f} ms"
                         if times else "–")
        found = "/".join(str(matches.get((engine, kind, s), "?")) for s in sizes)
        lines.append(f"| {engine} | {kind} | " + " | ".join(cells) + f" | {found} |")
    lines += ["", "Rows inserted: " + ", ".join(
        f"{engine} {size:,} in {seconds:.0f} s" for (engine, size), seconds in fills.items())
        + ".", ""]
    (ROOT / "benchmarks" / "receipt_duplicates.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                       [int(s) for s in sys.argv[6:]]))
    sys.exit(main())
