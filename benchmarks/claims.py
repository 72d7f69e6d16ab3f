"""Claims per second through the HTTP API, each with a 1 MB JPEG receipt.

Usage: python benchmarks/claims.py [--requests 200] [--clients 1 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, django_setup, machine, served, summary


def receipt_1mb() -> bytes:
    """A photo-like JPEG of about 1 MB (noise does not compress away)."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.frombytes("RGB", (1100, 1500), rng.randbytes(1100 * 1500 * 3))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 700, 1400), fill="white")
    for i in range(30):
        draw.text((150, 150 + 40 * i), f"ELKJOP  BEAM  4990,00  line {i}", fill="black")
    best = b""
    for quality in range(95, 20, -1):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        best = out.getvalue()
        if len(best) <= 1_050_000:
            break
    return best


def multipart(claim: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="claim"\r\n'
             f"Content-Type: application/json\r\n\r\n{json.dumps(claim)}\r\n".encode()]
    for name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                     f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
        parts.append(data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run(port: int, codes: list[str], clients: int, jpeg: bytes, slug: str) -> tuple[float, list]:
    from rabatt.claims.tests.factories import payload

    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    queue = list(codes)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                code = queue.pop()
            data = payload(code, campaign=slug, purchase__purchased_at=_purchase_time())
            body, ctype = multipart(data, [("receipt.jpg", jpeg)])
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/claims", body, {"Content-Type": ctype})
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - t0
            with lock:
                (latencies.append(elapsed) if response.status == 201
                 else failures.append(response.status))
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        print(f"  failures: {failures[:5]}...", file=sys.stderr)
    return len(latencies) / (time.perf_counter() - start), latencies


_PURCHASED = ""


def _purchase_time() -> str:
    return _PURCHASED


def main() -> None:
    global _PURCHASED
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["TASKS_BACKEND"] = "database"  # e-mails queue for a worker, as in production
    os.environ["RATE_LIMITS"] = "off"  # one client sends far more than a person would
    django_setup()
    from django.conf import settings
    from django.core.cache import cache

    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.codes.alphabet import display
    from rabatt.codes.services import codes_issue
    from rabatt.core.timeutil import utcnow

    example = load_path(ROOT / "examples/campaigns/sonos-summer-2019.yaml")
    shift = (utcnow() - example.purchase_starts_at).days - 7
    slug = f"bench-{uuid.uuid4().hex[:6]}"
    campaign, _ = campaign_load(data=load_path(
        ROOT / "examples/campaigns/sonos-summer-2019.yaml", shift_days=shift, slug=slug))
    _PURCHASED = (utcnow().replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    jpeg = receipt_1mb()
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"machine: {machine()}; database: {db}; receipt: {len(jpeg):,} bytes")
    with served() as port:
        for clients in args.clients:
            cache.clear()
            codes = [display(c) for c in codes_issue(campaign=campaign, channel="retailer",
                                                     count=args.requests)]
            rate, lat = run(port, codes, clients, jpeg, slug)
            print(f"{clients} client(s): {rate:.1f} claims/s ({summary(lat)})")


if __name__ == "__main__":
    main()
