"""Measure receipt reading and verification on the development receipts.

Usage::

    python benchmarks/receipts.py [--limit N] [--jobs N] [--languages eng] [--engine tesseract]
                                  [--no-generated] [--no-sroie] [--cache DIR]

For each receipt it reads once (``read_document`` and ``pipeline.read_more``: the page, the page
with ``--psm 4``, the key lines again) and extracts, then verifies the true retailer/date/total
(true accepts) and perturbed values that must not verify (false accepts): total ±0.01 and ±10 %, a
subtotal or VAT amount instead of the total, another receipt's total; date ±1 day and day/month
swapped; another receipt's retailer. Seconds per receipt are measured per worker process (one
core each, ``OMP_THREAD_LIMIT=1``), next to the raw ``tesseract`` command on the same file.
"""

# ruff: noqa: E402 - the path fix below must run before the imports
from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

# Run as a script, this folder comes first on sys.path, where benchmarks/queue.py would shadow
# the standard library's queue that the process pool needs.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from rabatt.receipts.reading import read_document, verify
from rabatt.receipts.reading.document import Engine
from rabatt.receipts.reading.pipeline import extract_readings, read_more
from rabatt.receipts.reading.text import fold, normalise_name, parse_amount, parse_date

SROIE = Path(os.environ.get("SROIE_DIR", "/work/shared/data/receipts/sroie-dev"))
FIELDS = ("retailer", "date", "total")


@dataclass
class Item:
    """One receipt with its true values."""

    name: str
    path: str
    content_type: str
    retailer: str
    date: date
    total: Decimal
    currency: str | None = None
    languages: str = "eng"
    subtotal: Decimal | None = None
    vat: Decimal | None = None
    group: str = "sroie"


@dataclass
class Outcome:
    """What happened to one receipt."""

    item: Item
    seconds: float
    raw_seconds: float
    true: dict[str, str]
    false: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    found: dict[str, str | None] = field(default_factory=dict)


def sroie_items() -> list[Item]:
    """Return the SROIE development receipts with parsed labels."""
    items = []
    for label_path in sorted(SROIE.glob("*.json")):
        label = json.loads(label_path.read_text())
        raw_date = label["date"].strip("() ")
        day = parse_date(raw_date, day_first=True) or parse_date(raw_date, day_first=False)
        total = parse_amount(label["total"])
        if day is None or total is None:
            print(
                f"skip {label_path.name}: cannot parse label {label['date']!r} {label['total']!r}",
                file=sys.stderr,
            )
            continue
        items.append(
            Item(
                label_path.stem,
                str(label_path.with_suffix(".jpg")),
                "image/jpeg",
                label["company"],
                day,
                total,
            )
        )
    return items


def generated_items(directory: Path, count: int) -> list[Item]:
    """Return project-made receipts (PDFs and photos in nb, sv, da, de, en)."""
    from rabatt.receipts.tests.receiptgen import generate_set

    items = []
    for spec, path in generate_set(directory, count=count):
        items.append(
            Item(
                path.stem,
                str(path),
                "application/pdf" if path.suffix == ".pdf" else "image/jpeg",
                spec.retailer,
                spec.purchase_date,
                spec.total,
                spec.currency,
                spec.languages,
                spec.subtotal,
                spec.vat,
                group=f"generated-{'pdf' if path.suffix == '.pdf' else 'photo'}",
            )
        )
    return items


def raw_tesseract_seconds(item: Item) -> float:
    """Time the plain tesseract command on the same file (images only)."""
    if item.content_type != "image/jpeg":
        return float("nan")
    started = time.perf_counter()
    subprocess.run(
        ["tesseract", item.path, "stdout", "-l", item.languages], capture_output=True, check=False
    )
    return time.perf_counter() - started


def _other(items: list[Item], i: int, key: str) -> Item | None:
    """Return a later receipt whose value for key clearly differs from this one's."""
    me = items[i]
    for j in range(1, len(items)):
        other = items[(i + j) % len(items)]
        if key == "total" and other.total != me.total:
            return other
        if key == "retailer":
            a, b = normalise_name(me.retailer), normalise_name(other.retailer)
            # Two branches of one chain are the same shop, not "another shop".
            if a.split()[:2] != b.split()[:2] and fold(a)[:6] != fold(b)[:6]:
                return other
    return None


def run_one(args: tuple[Item, Item | None, Item | None, str, str | None, bool]) -> Outcome:
    """Read, extract and verify one receipt and its perturbations."""
    item, other_total, other_retailer, engine, cache, retry = args
    data = Path(item.path).read_bytes()
    cached = True

    name = f"{item.group}-{item.name}-{engine}-{item.languages}-{'r' if retry else 'n'}.pickle"
    cache_file = Path(cache) / name if cache else None
    if cache_file and cache_file.exists():
        docs = pickle.loads(cache_file.read_bytes())  # noqa: S301 - our own cache
        seconds = docs[0].timings.get("read", float("nan"))
    else:
        cached = False
        started = time.perf_counter()
        doc = read_document(
            data,
            content_type=item.content_type,
            languages=item.languages,
            engine=cast(Engine, engine),
        )
        docs = read_more(
            doc, languages=item.languages, engine=cast(Engine, engine), retry=retry, reread=retry
        )
        seconds = time.perf_counter() - started
        docs = [dataclasses.replace(d, images=()) for d in docs]
        docs[0].timings["read"] = seconds
        if cache_file:
            cache_file.write_bytes(pickle.dumps(docs))
    started = time.perf_counter()
    extraction = extract_readings(docs, currency_hint=item.currency)
    seconds += time.perf_counter() - started
    doc = docs[0]
    raw = raw_tesseract_seconds(item) if not cached else float("nan")

    def check(retailer: str, day: date, total: Decimal) -> dict[str, str]:
        result = verify(extraction, retailer=retailer, date=day, total=total).as_dict()
        return {f: result[f]["status"] for f in FIELDS}

    true = check(item.retailer, item.date, item.total)
    false: dict[str, list[tuple[str, str]]] = defaultdict(list)
    cent = Decimal("0.01")
    wrong_totals = {
        "total+0.01": item.total + cent,
        "total-0.01": item.total - cent,
        "total+10%": (item.total * Decimal("1.1")).quantize(cent),
        "total-10%": (item.total * Decimal("0.9")).quantize(cent),
    }
    if item.subtotal is not None:
        wrong_totals["subtotal"] = item.subtotal
    if item.vat is not None:
        wrong_totals["vat"] = item.vat
    if item.group == "sroie":
        # No labels for subtotal/VAT here: use amounts on the receipt's own subtotal/tax lines.
        for label, amount in _subtotal_and_tax_amounts(doc):
            if amount != item.total:
                wrong_totals.setdefault(label, amount)
    if other_total is not None:
        wrong_totals["other-total"] = other_total.total
    for label, total in wrong_totals.items():
        if total != item.total and total > 0:
            false["total"].append((label, check(item.retailer, item.date, total)["total"]))
    wrong_dates = {"date+1": item.date + timedelta(days=1), "date-1": item.date - timedelta(days=1)}
    if item.date.day <= 12 and item.date.day != item.date.month:
        wrong_dates["day-month-swap"] = item.date.replace(month=item.date.day, day=item.date.month)
    for label, day in wrong_dates.items():
        false["date"].append((label, check(item.retailer, day, item.total)["date"]))
    if other_retailer is not None:
        false["retailer"].append(
            ("other-retailer", check(other_retailer.retailer, item.date, item.total)["retailer"])
        )
    found = {
        "retailer": extraction.retailer.line.text if extraction.retailer.line else None,
        "date": str(extraction.date.value) if extraction.date.value else None,
        "total": str(extraction.total.value) if extraction.total.value is not None else None,
    }
    return Outcome(item, seconds, raw, true, dict(false), found)


def _subtotal_and_tax_amounts(doc: object) -> list[tuple[str, Decimal]]:
    import re

    from rabatt.receipts.reading.text import find_amounts

    out = []
    for line in doc.lines:  # type: ignore[attr-defined]
        folded = fold(line.text)
        amounts = find_amounts(line.text)
        if not amounts:
            continue
        if re.search(r"sub\s?-?total", folded):
            out.append(("subtotal", amounts[-1][0]))
        elif re.search(r"\b(gst|vat|tax|mva|moms|mwst)\b", folded) and "incl" not in folded:
            out.append(("vat", amounts[-1][0]))
    return out


def summarise(outcomes: list[Outcome], title: str) -> list[str]:
    """Return markdown rows for one group of receipts."""
    n = len(outcomes)
    if not n:
        return []
    rows = [
        f"**{title}** — {n} receipts",
        "",
        "| field | true accepts | false accepts | false-accept trials |",
        "|---|---|---|---|",
    ]
    for f in FIELDS:
        ta = sum(o.true[f] == "verified" for o in outcomes) / n
        trials = [s for o in outcomes for _, s in o.false.get(f, [])]
        fa = sum(s == "verified" for s in trials)
        rows.append(f"| {f} | {ta:.3f} | {fa / max(1, len(trials)):.3f} ({fa}) | {len(trials)} |")
    auto = sum(all(o.true[f] == "verified" for f in FIELDS) for o in outcomes) / n
    secs = sorted(o.seconds for o in outcomes if o.seconds == o.seconds)
    raws = sorted(o.raw_seconds for o in outcomes if o.raw_seconds == o.raw_seconds)

    def pct(values: list[float], q: float) -> str:
        return f"{values[min(len(values) - 1, int(q * len(values)))]:.2f}" if values else "–"

    rows += [
        "",
        f"auto-approvable (all three verified): {auto:.3f}",
        f"seconds per receipt: median {pct(secs, 0.5)}, p90 {pct(secs, 0.9)}"
        f" (raw `tesseract` on the same images: median {pct(raws, 0.5)}, p90 {pct(raws, 0.9)})",
        "",
    ]
    return rows


def main() -> None:
    """Run the benchmark and print a markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="at most N SROIE receipts")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--languages", default="eng", help="tesseract languages for SROIE")
    parser.add_argument("--engine", default="tesseract", choices=["tesseract", "rapidocr"])
    parser.add_argument("--generated", type=int, default=40, help="project-made receipts (0: none)")
    parser.add_argument("--no-sroie", action="store_true")
    parser.add_argument("--cache", help="keep OCR results here between runs (timings then reused)")
    parser.add_argument(
        "--no-retry", action="store_true", help="first reading only (no psm 4, no key lines)"
    )
    parser.add_argument("--failures", action="store_true", help="list receipts that did not verify")
    args = parser.parse_args()

    import django

    django.setup()
    items: list[Item] = []
    if not args.no_sroie:
        sroie = sroie_items()
        if args.limit:
            sroie = sroie[: args.limit]
        for it in sroie:
            it.languages = args.languages
        items += sroie
    gen_dir = Path(tempfile.mkdtemp(prefix="receipts-bench-"))
    if args.generated:
        items += generated_items(gen_dir, args.generated)
    if args.cache:
        Path(args.cache).mkdir(parents=True, exist_ok=True)
    jobs = []
    groups: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        groups[it.group].append(it)
    for group in groups.values():
        for i, it in enumerate(group):
            jobs.append(
                (
                    it,
                    _other(group, i, "total"),
                    _other(group, i, "retailer"),
                    args.engine,
                    args.cache,
                    not args.no_retry,
                )
            )
    started = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(run_one, jobs, chunksize=1))
    else:
        outcomes = [run_one(j) for j in jobs]
    wall = time.perf_counter() - started
    lines = [
        f"engine: {args.engine}, SROIE languages: {args.languages}, jobs: {args.jobs}, "
        f"more readings: {'no' if args.no_retry else 'psm 4, key lines at 40/56 px x 2 models'}, "
        f"wall time {wall:.0f} s",
        "",
    ]
    by_group: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_group[o.item.group].append(o)
    for name, outs in by_group.items():
        lines += summarise(outs, name)
    print("\n".join(lines))
    if args.failures:
        for o in outcomes:
            bad = [f for f in FIELDS if o.true[f] != "verified"]
            fas = [
                (f, lab) for f, trials in o.false.items() for lab, s in trials if s == "verified"
            ]
            if bad or fas:
                print(
                    o.item.group,
                    o.item.name,
                    "not verified:",
                    {f: o.true[f] for f in bad},
                    "false accepts:",
                    fas,
                    "expected:",
                    o.item.retailer,
                    o.item.date,
                    o.item.total,
                    "found:",
                    o.found,
                )


if __name__ == "__main__":
    main()
