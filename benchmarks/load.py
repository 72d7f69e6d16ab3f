"""Load table for the hot paths, each beside the trivial endpoint in the same run, with wrk.

For every endpoint the script runs wrk against ``GET /api/v1/health`` and then against the
endpoint, on the same gunicorn server, one after the other, and prints the two side by side
with their ratio: quote, shop validate, shop redeem (a fresh code and order on every request)
and claim intake through the API with a 1 MB JPEG receipt (a fresh code on every request).

Usage:
    apt-get install wrk
    createdb -h 127.0.0.1 -U postgres rabatt_load
    python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/rabatt_load \\
        --cache-url redis://127.0.0.1:6379/0 [--connections 16] [--seconds 10]

Rate limits are switched off (RATE_LIMITS=off): wrk is one very busy client. Background work
(e-mails, receipt reading) is queued for the database worker (TASKS_BACKEND=database), as in
production without a broker; no worker runs during the measurement, so the web processes
have the CPU to themselves. Every response is checked: a run with any non-2xx answer or
socket error fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, django_setup, free_port, machine  # noqa: E402
from benchmarks.claims import multipart, receipt_1mb  # noqa: E402

SLUG = "sonos-summer-2019"

# wrk's Lua: each thread takes every n-th line of a file of request bodies' variable parts, so
# no code is used twice; done() prints one JSON line the script reads.
LUA = r"""
local counter, step = 0, 1
local items = {}
local template = ""
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = id
  step = tonumber(args[1])
  local f = io.open(args[2], "rb"); template = f:read("*a"); f:close()
  if args[3] ~= nil then
    for line in io.lines(args[3]) do items[#items + 1] = line end
  end
end

function request()
  local body = template
  if #items > 0 then
    local item = items[counter + 1]
    if item == nil then item = "EXHAUSTED" end
    counter = counter + step
    body = string.gsub(body, "__CODE__", item, 1)
    body = string.gsub(body, "__ORDER__", "L-" .. item, 1)
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int


def wrk(*, url: str, method: str, headers: dict[str, str], template: bytes,
        items: list[str] | None, connections: int, threads: int, seconds: float,
        workdir: Path) -> Result:
    """Run wrk once and return its figures; refuse any non-2xx answer or socket error."""
    name = uuid.uuid4().hex[:8]
    script = workdir / "load.lua"
    script.write_text(LUA.replace('wrk.format(nil, nil, nil, body)',
                                  f'wrk.format("{method}", nil, nil, body)'))
    body_file = workdir / f"{name}.body"
    body_file.write_bytes(template)
    args = [str(threads), str(body_file)]
    if items is not None:
        items_file = workdir / f"{name}.items"
        items_file.write_text("\n".join(items) + "\n")
        args.append(str(items_file))
    command = ["wrk", "-t", str(threads), "-c", str(connections),
               "-d", f"{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script)]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command += [url, "--", *args]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    data = json.loads(line[len("RESULT "):])
    if data["non2xx"] or data["socket_errors"]:
        raise SystemExit(f"{url}: {data['non2xx']} non-2xx answers, "
                         f"{data['socket_errors']} socket errors\n{out}")
    return Result(rate=data["requests"] / (data["duration_us"] / 1e6),
                  p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                  requests=data["requests"])


def combined(parts: list[Result]) -> Result:
    """Return the rounds as one: total rate; median p50; the worst round's p99."""
    seconds = sum(p.requests / p.rate for p in parts if p.rate)
    requests = sum(p.requests for p in parts)
    p50s = sorted(p.p50_ms for p in parts)
    return Result(rate=requests / seconds if seconds else 0.0, p50_ms=p50s[len(p50s) // 2],
                  p99_ms=max(p.p99_ms for p in parts), requests=requests)


def serve(*, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    """Serve the app with gunicorn's threaded workers, as `rabatt serve` does."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "rabatt.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
         "--threads", str(threads), "--log-level", "warning", "--no-control-socket"],
        env=os.environ.copy(),
    )
    import urllib.request
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL: postgres://...")
    parser.add_argument("--cache-url", help="Redis for the shared cache: redis://host:port/db")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="per endpoint, and as long again for the health runs beside it")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating health/endpoint runs per endpoint")
    parser.add_argument("--claim-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--only", nargs="*", default=["quote", "validate", "redeem", "claims"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.cache_url:
        os.environ["CACHE_URL"] = args.cache_url
    os.environ["RATE_LIMITS"] = "off"
    os.environ["TASKS_BACKEND"] = "database"
    django_setup()
    from django.conf import settings

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.models import Campaign
    from rabatt.campaigns.services import campaign_load
    from rabatt.claims.tests.factories import payload
    from rabatt.codes.alphabet import display
    from rabatt.codes.services import api_key_create, codes_issue
    from rabatt.core.timeutil import utcnow

    example = load_path(ROOT / f"examples/campaigns/{SLUG}.yaml")
    shift = (utcnow() - example.purchase_starts_at).days - 7
    slug = f"load-{uuid.uuid4().hex[:6]}"
    campaign, _ = campaign_load(data=load_path(ROOT / f"examples/campaigns/{SLUG}.yaml",
                                               shift_days=shift, slug=slug))
    assert isinstance(campaign, Campaign)
    _key, secret = api_key_create(name=f"load-{uuid.uuid4().hex[:8]}", campaigns=[campaign])
    now = utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # Enough fresh codes for a redeem or a claim on every request at the best rate seen here.
    direct = [display(c) for c in codes_issue(campaign=campaign, channel="direct",
                                              count=int(3000 * args.seconds), note="load")]
    validate_code = direct.pop()
    retailer = ([display(c) for c in codes_issue(campaign=campaign, channel="retailer",
                                                 count=int(40 * args.claim_seconds),
                                                 note="load")]
                if "claims" in args.only else [])

    def shop(code: str, order_id: str) -> bytes:
        return json.dumps({
            "campaign": slug, "code": code, "order_id": order_id, "country": "NO",
            "currency": "NOK", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
        }).encode()

    quote = json.dumps({
        "country": "NO", "channel": "retailer", "retailer": "elkjop-no", "purchased_at": now,
        "currency": "NOK", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
    }).encode()
    jpeg = receipt_1mb() if "claims" in args.only else b""
    claim_body, claim_type = multipart(
        payload("__CODE__", campaign=slug, purchase__purchased_at=now), [("receipt.jpg", jpeg)])
    bearer = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    cases = {
        "quote": ("POST /api/v1/campaigns/{slug}/quote", f"/api/v1/campaigns/{slug}/quote",
                  {"Content-Type": "application/json"}, quote, None, args.seconds),
        "validate": ("POST /api/v1/codes/validate", "/api/v1/codes/validate", bearer,
                     shop(validate_code, "V-1"), None, args.seconds),
        "redeem": ("POST /api/v1/codes/redeem (fresh code each)", "/api/v1/codes/redeem",
                   bearer, shop("__CODE__", "__ORDER__"), direct, args.seconds),
        "claims": (f"POST /api/v1/claims, {len(jpeg) / 1e6:.2f} MB JPEG (fresh code each)",
                   "/api/v1/claims", {"Content-Type": claim_type},
                   claim_body, retailer, args.claim_seconds),
    }
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    tasks_backend = settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"database: {db}; cache: {cache_backend}; tasks: {tasks_backend}; "
          f"gunicorn {args.workers} workers x {args.threads} threads; "
          f"wrk {args.wrk_threads} threads, {args.connections} connections")
    rows = ["| endpoint | requests/s | p50 ms | p99 ms (worst round) | health requests/s beside it "
            "| ratio |",
            "|---|---|---|---|---|---|"]
    proc, port = serve(workers=args.workers, threads=args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory(prefix="rabatt-load-") as tmp:
            workdir = Path(tmp)

            def run(path: str, headers: dict[str, str], body: bytes, items: list[str] | None,
                    seconds: float, method: str = "POST") -> Result:
                return wrk(url=base + path, method=method, headers=headers, template=body,
                           items=items, connections=args.connections,
                           threads=args.wrk_threads, seconds=seconds, workdir=workdir)

            # Warm-up: every process imports, connects and fills its caches once.
            run("/api/v1/health", {}, b"", None, 2, method="GET")
            run(cases["quote"][1], cases["quote"][2], cases["quote"][3], None, 2)
            run(cases["validate"][1], cases["validate"][2], cases["validate"][3], None, 2)
            for name in args.only:
                label, path, headers, body, items, seconds = cases[name]
                # Alternate short runs of the two, so a change in the machine's load (shared
                # with other work) falls on both alike; rates are totals over all rounds.
                # A claim takes seconds under load: one long run, or it may not finish.
                rounds = 1 if name == "claims" else args.rounds
                healths, results = [], []
                for round_ in range(rounds):
                    healths.append(run("/api/v1/health", {}, b"", None,
                                       seconds / rounds, method="GET"))
                    part = items[round_::rounds] if items is not None else None
                    results.append(run(path, headers, body, part, seconds / rounds))
                health, result = combined(healths), combined(results)
                rows.append(f"| {label} | {result.rate:,.1f} | {result.p50_ms:.1f} | "
                            f"{result.p99_ms:.1f} | {health.rate:,.0f} "
                            f"(p99 {health.p99_ms:.1f} ms) | {result.rate / health.rate:.2f} |")
                print(rows[-1], flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
