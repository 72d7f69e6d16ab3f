"""Shared parts of the fault scripts: the product served on a throw-away PostgreSQL, claims
submitted by clients that retry as a real one would, and the checks of what was promised."""

from __future__ import annotations

import email
import http.client
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks._common import ROOT, machine
from benchmarks.claims import multipart
from rabatt.core.tests.stack import Stack

RETRYABLE = {502, 503, 504}


@dataclass
class Tally:
    """What the clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # code -> reference
    refused: dict[str, int] = field(default_factory=dict)  # code -> final status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1


def stack_up(**kwargs: object) -> Stack:
    # A TERM (timeout, Ctrl-C elsewhere) still runs the ``finally`` that stops the stack.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"machine: {machine()}", flush=True)
    stack = Stack(**kwargs)  # type: ignore[arg-type]
    stack.start()
    return stack


def django_on(stack: Stack) -> None:
    """Set this process up as one more node of the stack (to issue codes and check rows)."""
    os.environ.update({k: v for k, v in stack.env.items()
                       if k in ("RABATT_HOME", "DATABASE_URL", "TASKS_BACKEND", "EMAIL_URL",
                                "RATE_LIMITS")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "rabatt.settings"
    import django

    django.setup()


def campaign_with_codes(count: int) -> tuple[str, list[str], str]:
    """Load the example campaign shifted to today; return its slug, codes and a purchase time."""
    from rabatt.campaigns.campaign_file import load_path
    from rabatt.campaigns.services import campaign_load
    from rabatt.codes.alphabet import display
    from rabatt.codes.services import codes_issue
    from rabatt.core.timeutil import utcnow

    example = ROOT / "examples/campaigns/sonos-summer-2019.yaml"
    shift = (utcnow() - load_path(example).purchase_starts_at).days - 7
    slug = f"faults-{uuid.uuid4().hex[:6]}"
    campaign, _ = campaign_load(data=load_path(example, shift_days=shift, slug=slug))
    codes = [display(c) for c in codes_issue(campaign=campaign, channel="retailer", count=count)]
    purchased = utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return slug, codes, purchased


def small_receipt() -> bytes:
    from rabatt.claims.tests.factories import receipt_jpeg

    return receipt_jpeg()


def submit_claims(stack: Stack, slug: str, codes: list[str], purchased: str, *,
                  clients: int = 4, receipt: bytes | None = None,
                  on_ack: Callable[[int], None] | None = None) -> Tally:
    """Submit one claim per code; a client retries a lost connection or a 503 with the same
    Idempotency-Key (as the API documents), up to 3 minutes per claim."""
    from rabatt.claims.tests.factories import payload

    tally = Tally()
    queue = list(codes)
    jpeg = receipt or small_receipt()

    def client() -> None:
        while True:
            with tally.lock:
                if not queue:
                    return
                code = queue.pop()
            body, ctype = multipart(payload(code, campaign=slug, purchase__purchased_at=purchased),
                                    [("receipt.jpg", jpeg)])
            key = uuid.uuid4().hex
            deadline = time.monotonic() + 180
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
                    conn.request("POST", "/api/v1/claims", body,
                                 {"Content-Type": ctype, "Idempotency-Key": key})
                    resp = conn.getresponse()
                    data = resp.read()
                    conn.close()
                except OSError:
                    with tally.lock:
                        tally.connection_errors += 1
                    if time.monotonic() > deadline:
                        tally.refused[code] = 0
                        break
                    time.sleep(0.3)
                    continue
                tally.count(resp.status)
                if resp.status == 201:
                    with tally.lock:
                        tally.acknowledged[code] = json.loads(data)["reference"]
                        done = len(tally.acknowledged)
                    if on_ack is not None:
                        on_ack(done)
                    break
                if resp.status in RETRYABLE and time.monotonic() < deadline:
                    time.sleep(float(resp.getheader("Retry-After") or 1) / 5)
                    continue
                tally.refused[code] = resp.status
                break

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def mail_subjects(stack: Stack) -> list[str]:
    out = []
    for path in stack.mails():
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out.append(str(message["Subject"]))
    return out


def wait_for_confirmations(stack: Stack, references: list[str], *,
                           timeout: float = 300) -> tuple[Counter[str], float]:
    """Wait until every reference has its confirmation e-mail; return counts and seconds."""
    started = time.monotonic()
    while True:
        subjects = mail_subjects(stack)
        per_ref = Counter(ref for ref in references for s in subjects if s.endswith(ref))
        if all(per_ref[r] >= 1 for r in references) or time.monotonic() - started > timeout:
            time.sleep(3)  # a duplicate would show up now
            subjects = mail_subjects(stack)
            per_ref = Counter(ref for ref in references for s in subjects if s.endswith(ref))
            return per_ref, time.monotonic() - started
        time.sleep(1)


def stored_claims(references: list[str]) -> set[str]:
    from django.db import connections

    from rabatt.claims.models import Claim

    connections.close_all()
    return set(Claim.objects.filter(reference__in=references).values_list("reference", flat=True))


def verdict(lines: list[tuple[str, object, object, bool]]) -> bool:
    """Print what was proved as a table (check, measured, target, met) and return all met."""
    width = max(len(check) for check, *_ in lines)
    for check, measured, target, ok in lines:
        print(f"  {'PASS' if ok else 'FAIL'}  {check:<{width}}  {measured}  (target {target})")
    return all(ok for *_, ok in lines)
