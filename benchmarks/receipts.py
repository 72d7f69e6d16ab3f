"""Measure receipt reading and verification, cross-validated, per OCR engine choice.

Usage::

    python benchmarks/receipts.py [--engines ppocr,ppocr-tiny,ppocr-small,tesseract]
                                  [--sroie-limit N] [--generated 400] [--jobs 2] [--folds 5]
                                  [--cache DIR] [--failures FILE]

For each engine choice and receipt it reads once the way ``read_receipt`` does (the page, then
the engine's plan of further readings), extracts, and verifies the true retailer, date and
total (true accepts) and claims that must not verify (false accepts): total ±0.01 and ±10 %,
the receipt's own subtotal and VAT amounts, another receipt's total; date ±1 day and day/month
swapped; three truly different shops (other chains: no name of one is like a name of the other).

Every threshold verification uses (``verify.Thresholds``) is chosen by k-fold
cross-validation: the receipts are split into folds by shop (one shop's receipts stay in one
fold, so a fold's shops were never seen while fitting), each threshold is fitted on the other
folds (the most true accepts with false accepts <= 1 %) and applied to the held-out fold. The
figures reported are the held-out folds' figures only.

Seconds per receipt: CPU seconds of one worker process (``OMP_THREAD_LIMIT=1``, ONNX Runtime on
one thread, so the time it would take on one free core): decoding, preprocessing, the first
reading, the extraction, and the further readings when the true claim's verification asks for
them. "Bare" is the engine
alone on the same image, as its own library runs it: PP-OCR's detection and recognition on the
decoded picture (the detector's side limit as ours), or Tesseract's default page reading
in-process; a ratio is the median of each receipt's own ratio.
"""

# ruff: noqa: E402 - the path fix below must run before the imports
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where benchmarks/queue.py would shadow
# the standard library's queue that the process pool needs.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import dataclasses
import hashlib
import importlib
import json
import os
import pickle
import re
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from rapidfuzz import fuzz

from rabatt.receipts.reading import read_document
from rabatt.receipts.reading.document import load_image
from rabatt.receipts.reading.extract import Extraction, RetailerRef
from rabatt.receipts.reading.pipeline import extract_readings, read_more
from rabatt.receipts.reading.text import (
    find_amounts,
    fold,
    normalise_name,
    parse_amount,
    parse_date,
)
from rabatt.receipts.reading.verify import check_date, check_retailer_readings, check_total

# CPU seconds of this process: the figures hold on a machine that other work shares (every
# engine runs in-process on one thread, so its CPU time is its time on one free core).
clock = time.process_time
SROIE = Path(os.environ.get("SROIE_DIR", "/work/shared/data/receipts/sroie-dev"))
FIELDS = ("retailer", "date", "total")
FA_LIMIT = 0.01

# Engine choices: the engine and the plan of further readings (None: the engine's own plan).
CHOICES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "ppocr": ("ppocr", None),
    "ppocr-tiny": ("ppocr-tiny", None),
    "ppocr-small": ("ppocr-small", None),
    "tesseract": ("tesseract", None),
    "ppocr+tesseract-lines": ("ppocr", ("lines-small", "lines-tesseract-std")),
    "ppocr-tiny+tesseract-lines": ("ppocr-tiny", ("lines-tesseract-std",)),
    "ppocr-small+tiny-lines": ("ppocr-small", ("lines-tiny",)),
}
# The thresholds each field's fit chooses from (verify.Thresholds).
GRID: dict[str, list[dict[str, Any]]] = {
    "retailer": [{"margin": m} for m in (-8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0)],
    "date": [{"vote": v} for v in (0.6, 0.75, 0.9, 1.1, 1.5)],
    "total": [
        {"vote": v, "paid_support": s} for v in (0.6, 0.75, 0.9, 1.1, 1.5) for s in (1, 2, 9)
    ],
}


@dataclass
class Item:
    """One receipt with its true values."""

    name: str
    group: str
    content_type: str
    retailer: str
    date: date
    total: Decimal
    currency: str | None = None
    languages: str = "eng"
    subtotal: Decimal | None = None
    vat: Decimal | None = None
    path: str = ""
    seed: int | None = None
    kind: str = "scan"

    def data(self) -> bytes:
        """Return the file's bytes (project-made receipts are drawn again from their seed)."""
        if self.seed is not None:
            from rabatt.receipts.tests.devset import make, render

            return render(make(self.seed, self.name.split("-")[1].upper(), self.kind))[0]
        return Path(self.path).read_bytes()


@dataclass
class Outcome:
    """What happened to one receipt under one engine choice, per threshold of the grid."""

    item: Item
    choice: str
    seconds: float
    bare: float
    # field -> grid index -> (true status, [false statuses])
    checks: dict[str, list[tuple[str, list[tuple[str, str]]]]] = field(default_factory=dict)
    found: dict[str, str | None] = field(default_factory=dict)


def sroie_items(limit: int = 0) -> list[Item]:
    """Return the SROIE development receipts with parsed labels."""
    items = []
    for label_path in sorted(SROIE.glob("*.json")):
        label = json.loads(label_path.read_text())
        raw_date = label["date"].strip("() ")
        day = parse_date(raw_date, day_first=True) or parse_date(raw_date, day_first=False)
        total = parse_amount(label["total"])
        if day is None or total is None:
            continue
        items.append(
            Item(label_path.stem, "sroie", "image/jpeg", label["company"], day, total,
                 path=str(label_path.with_suffix(".jpg")))
        )
    return items[:limit] if limit else items


def generated_items(count: int) -> list[Item]:
    """Return the project-made receipts (drawn again from their seeds inside each worker)."""
    from rabatt.receipts.tests.devset import receipts

    out = []
    for r in receipts(count):
        out.append(
            Item(r.name, f"made-{'pdf' if r.kind == 'pdf' else 'image'}",
                 "application/pdf" if r.kind == "pdf" else "image/jpeg", r.retailer,
                 r.purchase_date, r.total, r.currency, r.languages, r.subtotal, r.vat,
                 seed=r.seed, kind=r.kind)
        )
    return out


def _shop_key(name: str) -> str:
    return " ".join(normalise_name(name).split()[:2])


def different_shop(a: str, b: str) -> bool:
    """Return whether two retailer names are truly different shops, not one chain's branches."""
    x, y = normalise_name(a), normalise_name(b)
    if not x or not y or _shop_key(a) == _shop_key(b):
        return False
    # A shared distinctive word ("AEON", "Elkjøp") or a similar spelling is the same chain.
    words = {w for w in x.split() if len(w) >= 4} & {w for w in y.split() if len(w) >= 4}
    return not words and fuzz.token_set_ratio(x, y) < 60 and fuzz.partial_ratio(x, y) < 75


def _other(items: list[Item], i: int, key: str) -> Item | None:
    found = _others(items, i, key, 1)
    return found[0] if found else None


def _others(items: list[Item], i: int, key: str, count: int) -> list[Item]:
    """Return receipts whose total, or shop, differs from this one's."""
    me, found, names = items[i], [], set()
    for j in range(1, len(items)):
        other = items[(i + j * 7) % len(items)]
        if key == "total" and other.total != me.total:
            found.append(other)
        elif key == "retailer" and different_shop(me.retailer, other.retailer) and all(
            different_shop(other.retailer, n) for n in names
        ):
            found.append(other)
            names.add(other.retailer)
        if len(found) == count:
            break
    return found


def bare_seconds(item: Item, engine: str, data: bytes) -> float:
    """Time the engine alone on the decoded image, as its own library would run it."""
    if item.content_type != "image/jpeg":
        return float("nan")
    image = load_image(data)
    started = clock()
    if engine.startswith("ppocr"):
        from rabatt.receipts.reading.ppocr import read_regions

        size = "small" if engine == "ppocr-small" else "tiny"
        read_regions(image, det=size, rec=size)  # type: ignore[arg-type]
    else:
        from rabatt.receipts.reading.document import _api

        api = _api(item.languages)
        api.SetPageSegMode(3)
        api.SetImage(image)
        api.GetUTF8Text()
        api.Clear()
    return clock() - started


def _readings(
    item: Item, choice: str, cache: str | None
) -> tuple[list[Any], float, float, float]:
    engine, plan = CHOICES[choice]
    cache_file = Path(cache) / f"{choice}-{item.group}-{item.name}.pickle" if cache else None
    if cache_file and cache_file.exists():
        return pickle.loads(cache_file.read_bytes())  # type: ignore[no-any-return]  # noqa: S301
    data = item.data()
    started = clock()
    doc = read_document(data, content_type=item.content_type, languages=item.languages,
                        engine=engine)  # type: ignore[arg-type]
    first = clock() - started
    started = clock()
    docs = read_more(doc, languages=item.languages, engine=engine, plan=plan)  # type: ignore[arg-type]
    more = clock() - started
    docs = [dataclasses.replace(d, images=()) for d in docs]
    bare = bare_seconds(item, engine, data)
    if cache_file:
        cache_file.write_bytes(pickle.dumps((docs, first, more, bare)))
    return docs, first, more, bare


_MEMO: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _memo(fn: Any) -> Any:
    """Return fn remembering its result per document (the grid asks the same many times)."""

    def remembered(doc: Any, *args: Any, **kwargs: Any) -> Any:
        key = (fn.__name__, id(doc), args, tuple(sorted(kwargs.items())))
        if key not in _MEMO:
            # The document is kept with the result, so its id is not reused meanwhile.
            _MEMO[key] = (doc, fn(doc, *args, **kwargs))
        return _MEMO[key][1]

    return remembered


verify_module = importlib.import_module("rabatt.receipts.reading.verify")
for _name in ("find_totals", "find_payments", "find_purchase_dates", "retailer_score"):
    setattr(verify_module, _name, _memo(getattr(verify_module, _name)))


def run_one(args: tuple[Item, Item | None, list[Item], str, str | None]) -> Outcome:
    """Read one receipt and check it and its false claims under every threshold of the grid."""
    item, other_total, other_retailers, choice, cache = args
    _MEMO.clear()
    docs, seconds, more, bare = _readings(item, choice, cache)
    started = clock()
    # As read_receipt does: the first reading alone, the further readings only for the fields
    # it did not confirm.
    first = extract_readings(docs[:1], currency_hint=item.currency)
    seconds += clock() - started
    started = clock()
    extraction = extract_readings(docs, currency_hint=item.currency)
    extra = clock() - started
    ref = [RetailerRef(item.retailer, (normalise_name(item.retailer),))]
    out = Outcome(item, choice, seconds, bare)

    def lazily(check: Any, *args: Any, **kwargs: Any) -> str:
        status: str = check(first, *args, **kwargs).status
        if status == "verified" or len(docs) == 1:
            return status
        return str(check(extraction, *args, **kwargs).status)

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
        # No labels for subtotal/VAT here: amounts on the receipt's own subtotal and tax lines.
        for label, amount in _subtotal_and_tax_amounts(extraction):
            wrong_totals.setdefault(label, amount)
    if other_total is not None:
        wrong_totals["other-total"] = other_total.total
    wrong_totals = {k: v for k, v in wrong_totals.items() if v != item.total and v > 0}
    wrong_dates = {"date+1": item.date + timedelta(days=1), "date-1": item.date - timedelta(days=1)}
    if item.date.day <= 12 and item.date.day != item.date.month:
        wrong_dates["day-month-swap"] = item.date.replace(month=item.date.day, day=item.date.month)

    for params in GRID["retailer"]:
        true = lazily(check_retailer_readings, ref, **params)
        false = []
        for other_retailer in other_retailers:
            other = [RetailerRef(other_retailer.retailer,
                                 (normalise_name(other_retailer.retailer),))]
            false.append(("other-retailer", lazily(check_retailer_readings, other, **params)))
        out.checks.setdefault("retailer", []).append((true, false))
    for params in GRID["date"]:
        true = lazily(check_date, item.date, **params)
        false = [(k, lazily(check_date, d, **params)) for k, d in wrong_dates.items()]
        out.checks.setdefault("date", []).append((true, false))
    for params in GRID["total"]:
        true = lazily(check_total, item.total, **params)
        false = [(k, lazily(check_total, t, **params)) for k, t in wrong_totals.items()]
        out.checks.setdefault("total", []).append((true, false))
    # The true claim, with the default thresholds, decides whether the further readings are made.
    defaults = [
        check_retailer_readings(first, ref).status, check_date(first, item.date).status,
        check_total(first, item.total).status,
    ]
    if len(docs) > 1 and any(s != "verified" for s in defaults):
        out.seconds += more + extra
    out.found = {
        "retailer": extraction.retailer.line.text if extraction.retailer.line else None,
        "date": str(extraction.date.value) if extraction.date.value else None,
        "total": str(extraction.total.value) if extraction.total.value is not None else None,
    }
    return out


def _subtotal_and_tax_amounts(extraction: Extraction) -> list[tuple[str, Decimal]]:
    out = []
    for line in extraction.document.lines:
        folded = fold(line.text)
        amounts = find_amounts(line.text)
        if not amounts:
            continue
        if re.search(r"sub\s?-?total", folded):
            out.append(("subtotal", amounts[-1][0]))
        elif re.search(r"\b(gst|vat|tax|mva|moms|mwst)\b", folded) and "incl" not in folded:
            out.append(("vat", amounts[-1][0]))
    return out


def fold_of(item: Item, folds: int) -> int:
    """Return the item's fold: by shop, so one shop's receipts are never split across folds."""
    key = f"{item.group.split('-')[0]}:{_shop_key(item.retailer)}"
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % folds


def _rates(outcomes: list[Outcome], fld: str, k: int) -> tuple[int, int, int, int]:
    ta = sum(o.checks[fld][k][0] == "verified" for o in outcomes)
    trials = [s for o in outcomes for _, s in o.checks[fld][k][1]]
    return ta, len(outcomes), sum(s == "verified" for s in trials), len(trials)


def fit(outcomes: list[Outcome], fld: str) -> int:
    """Return the grid index with the most true accepts whose false accepts stay <= 1 %."""
    best, best_key = 0, (-1.0, 0.0)
    for k in range(len(GRID[fld])):
        ta, n, fa, trials = _rates(outcomes, fld, k)
        fa_rate = fa / trials if trials else 0.0
        if fa_rate > FA_LIMIT:
            continue
        key = (ta / max(n, 1), -fa_rate)
        if key > best_key:
            best, best_key = k, key
    return best


@dataclass
class Held:
    """Held-out figures of one set under one engine choice."""

    n: int = 0
    ta: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fa: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    trials: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    auto: int = 0
    chosen: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


DEFAULTS = {
    "retailer": GRID["retailer"].index({"margin": 0.0}),
    "date": GRID["date"].index({"vote": 0.9}),
    "total": GRID["total"].index({"vote": 0.9, "paid_support": 2}),
}


def cross_validate(
    outcomes: list[Outcome], folds: int, groups: list[str], *, fixed: bool = False
) -> dict[str, Held]:
    """Fit on all folds but one, measure on that one, for every fold; sum the held-out figures.

    ``fixed`` measures the default thresholds (verify.Thresholds()) instead, fitting nothing.
    """
    held: dict[str, Held] = {g: Held() for g in groups}
    for f in range(folds):
        train = [o for o in outcomes if fold_of(o.item, folds) != f]
        test = [o for o in outcomes if fold_of(o.item, folds) == f]
        chosen = dict(DEFAULTS) if fixed else {fld: fit(train, fld) for fld in FIELDS}
        for o in test:
            h = held[o.item.group]
            h.n += 1
            ok = True
            for fld in FIELDS:
                true, false = o.checks[fld][chosen[fld]]
                h.ta[fld] += true == "verified"
                ok = ok and true == "verified"
                h.trials[fld] += len(false)
                h.fa[fld] += sum(s == "verified" for _, s in false)
            h.auto += ok
        for g in groups:
            for fld in FIELDS:
                held[g].chosen[fld].append(json.dumps(GRID[fld][chosen[fld]]).replace('"', ""))
    return held


def _median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def report(outcomes: list[Outcome], folds: int) -> list[str]:
    """Return the markdown table of held-out figures per engine choice and set."""
    rows = [
        "| engine choice | set | n | retailer TA / FA | date TA / FA | total TA / FA "
        "| auto-approvable | s/receipt median (p90) | bare engine median | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    fitted = []
    by_choice: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_choice[o.choice].append(o)
    for choice, outs in by_choice.items():
        groups = sorted({o.item.group for o in outs}, key=lambda g: (g != "sroie", g))
        for fixed in (False, True):
            rows += _rows(choice, outs, groups, cross_validate(outs, folds, groups, fixed=fixed),
                          fixed)
        held = cross_validate(outs, folds, groups)
        some = held[groups[0]]
        fitted.append(f"- {choice}: " + "; ".join(
            f"{fld} {', '.join(sorted(set(some.chosen[fld])))}" for fld in FIELDS))
    return [*rows, "", "Thresholds chosen on the training folds (per fold, distinct values):",
            *fitted]


def _rows(
    choice: str, outs: list[Outcome], groups: list[str], held: dict[str, Held], fixed: bool
) -> list[str]:
    rows = []
    label = f"{choice} (defaults)" if fixed else choice
    for g in [*groups, "all images"]:
        mine = [o for o in outs if o.item.group == g or (
            g == "all images" and o.item.content_type.startswith("image"))]
        if g == "all images":
            h = Held()
            for gg in groups:
                if gg != "made-pdf":
                    hh = held[gg]
                    h.n += hh.n
                    h.auto += hh.auto
                    for fld in FIELDS:
                        h.ta[fld] += hh.ta[fld]
                        h.fa[fld] += hh.fa[fld]
                        h.trials[fld] += hh.trials[fld]
        else:
            h = held[g]
        if not h.n:
            continue
        cells = [
            f"{h.ta[f] / h.n:.3f} / {h.fa[f] / max(1, h.trials[f]):.3f} "
            f"({h.fa[f]}/{h.trials[f]})"
            for f in FIELDS
        ]
        secs = sorted(o.seconds for o in mine)
        p90 = secs[min(len(secs) - 1, int(0.9 * len(secs)))] if secs else float("nan")
        ratio = _median([o.seconds / o.bare for o in mine if o.bare == o.bare and o.bare])
        rows.append(
            f"| {label} | {g} | {h.n} | {' | '.join(cells)} | {h.auto / h.n:.3f} | "
            f"{_median(secs):.2f} ({p90:.2f}) | {_median([o.bare for o in mine]):.2f} | "
            f"{ratio:.2f} |"
        )
    return rows


def main() -> None:
    """Run the benchmark and print a markdown report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engines", default="ppocr,ppocr-tiny,ppocr-small,tesseract")
    parser.add_argument("--sroie-limit", type=int, default=0)
    parser.add_argument("--no-sroie", action="store_true")
    parser.add_argument("--generated", type=int, default=400, help="project-made receipts")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", help="keep the readings here between runs (timings reused)")
    parser.add_argument("--failures", help="write the receipts that did not verify to this file")
    args = parser.parse_args()

    import django

    django.setup()
    items: list[Item] = [] if args.no_sroie else sroie_items(args.sroie_limit)
    if args.generated:
        items += generated_items(args.generated)
    if args.cache:
        Path(args.cache).mkdir(parents=True, exist_ok=True)
    by_group: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_group[it.group.split("-")[0]].append(it)
    jobs = []
    for choice in args.engines.split(","):
        if choice not in CHOICES:
            parser.error(f"unknown engine choice {choice!r}: one of {', '.join(CHOICES)}")
        for group in by_group.values():
            for i, it in enumerate(group):
                jobs.append((it, _other(group, i, "total"), _others(group, i, "retailer", 3),
                             choice, args.cache))
    started = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(run_one, jobs, chunksize=2))
    else:
        outcomes = [run_one(j) for j in jobs]
    wall = time.perf_counter() - started
    print(f"{len(items)} receipts, engine choices {args.engines}, {args.folds}-fold by shop, "
          f"jobs {args.jobs}, wall {wall:.0f} s, load {os.getloadavg()[0]:.1f}\n")
    print("\n".join(report(outcomes, args.folds)))
    if args.failures:
        with open(args.failures, "w") as out:
            default = {f: next(i for i, p in enumerate(GRID[f]) if p in (
                {"margin": 0.0}, {"vote": 0.9}, {"vote": 0.9, "paid_support": 2})) for f in FIELDS}
            for o in outcomes:
                bad = [f for f in FIELDS if o.checks[f][default[f]][0] != "verified"]
                fas = [(f, lab) for f in FIELDS for lab, s in o.checks[f][default[f]][1]
                       if s == "verified"]
                if bad or fas:
                    out.write(f"{o.choice} {o.item.group} {o.item.name} not verified {bad} "
                              f"false {fas} expected {o.item.retailer!r} {o.item.date} "
                              f"{o.item.total} found {o.found}\n")


if __name__ == "__main__":
    main()
