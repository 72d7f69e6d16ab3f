"""The SMTP server down (connection refused), then hanging (accepts, never answers): claims
are still acknowledged, receipt reading goes on (e-mail has its own queue and worker), each
attempt gives up after the SMTP timeout, and once the server is back every confirmation is
delivered exactly once.

Usage: python benchmarks/faults/smtp.py [--claims 15] [--timeout 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.faults._harness import (
    campaign_with_codes,
    django_on,
    stack_up,
    submit_claims,
    verdict,
)
from rabatt.core.tests.stack import free_port


class Server:
    """A local SMTP server we control: ``mode`` is "ok" or "hang"."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.subjects: list[str] = []
        self.hung = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "hang":
            self.hung += 1
            await asyncio.sleep(3600)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.subjects.append(str(message["Subject"]))
        return "250 OK"


def delivered(server: Server, refs: list[str]) -> Counter[str]:
    return Counter(r for r in refs for s in server.subjects if s.endswith(r))


def wait_delivered(server: Server, refs: list[str], timeout: float = 400) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(delivered(server, refs)[r] >= 1 for r in refs):
            break
        time.sleep(1)
    took = time.monotonic() - started
    time.sleep(3)
    return took


def receipts_read(refs: list[str]) -> int:
    from rabatt.receipts.models import CheckStatus, ReceiptCheck

    return ReceiptCheck.objects.filter(claim__reference__in=refs).exclude(
        status=CheckStatus.READING).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=3)
    args = parser.parse_args()
    port = free_port()
    server = Server()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    stack = stack_up(web_workers=2, receipt_workers=1,
                     env={"EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout={args.timeout}"})
    try:
        django_on(stack)
        slug, codes, purchased = campaign_with_codes(2 * args.claims)
        # 1. Down: nothing listens on the port.
        down = submit_claims(stack, slug, codes[:args.claims], purchased, clients=2)
        refs_down = list(down.acknowledged.values())
        time.sleep(5)
        before_up = sum(delivered(server, refs_down).values())
        controller.start()
        took_down = wait_delivered(server, refs_down)
        print(f"SMTP down: {len(refs_down)} claims acknowledged, {before_up} e-mails while "
              f"down; all delivered {took_down:.0f} s after the server came back", flush=True)
        # 2. Hanging: accepts the message, never answers.
        server.mode = "hang"
        hang = submit_claims(stack, slug, codes[args.claims:], purchased, clients=2)
        refs_hang = list(hang.acknowledged.values())
        hang_started = time.monotonic()
        while receipts_read(refs_hang) < len(refs_hang) and time.monotonic() - hang_started < 300:
            time.sleep(1)
        read_while_hung = receipts_read(refs_hang)
        hung_attempts = server.hung
        server.mode = "ok"
        took_hang = wait_delivered(server, refs_hang)
        print(f"SMTP hanging: {len(refs_hang)} claims acknowledged, {hung_attempts} attempts "
              f"timed out, receipts read meanwhile {read_while_hung}/{len(refs_hang)}; all "
              f"delivered {took_hang:.0f} s after it answered again", flush=True)
        counts_down, counts_hang = delivered(server, refs_down), delivered(server, refs_hang)
        statuses = down.statuses + hang.statuses
        refs = refs_down + refs_hang
        counts = counts_down + counts_hang
        ok = verdict([
            ("HTTP 500 answers", statuses[500], 0, statuses[500] == 0),
            ("claims acknowledged (201)", len(refs), 2 * args.claims,
             len(refs) == 2 * args.claims),
            ("e-mails delivered while the server was down", before_up, 0, before_up == 0),
            ("confirmations missing", sum(1 for r in refs if counts[r] == 0), 0,
             all(counts[r] >= 1 for r in refs)),
            ("confirmations sent twice", sum(1 for r in refs if counts[r] > 1), 0,
             all(counts[r] <= 1 for r in refs)),
            ("receipts read while SMTP hung", f"{read_while_hung}/{len(refs_hang)}",
             "all", read_while_hung == len(refs_hang)),
        ])
        return 0 if ok else 1
    finally:
        stack.stop()
        if getattr(controller, "_thread", None) is not None:
            controller.stop()


if __name__ == "__main__":
    sys.exit(main())
