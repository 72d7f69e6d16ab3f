import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rabatt.campaigns.selectors import campaign_get
from rabatt.codes.alphabet import display
from rabatt.codes.conf import distribution_rate
from rabatt.codes.distribution import read_bounces, read_recipients
from rabatt.codes.models import RecipientStatus
from rabatt.codes.selectors import codes_report, recipients_status_counts, recipients_to_send
from rabatt.codes.services import (
    codes_issue,
    recipient_code_assign,
    recipient_send,
    recipients_import,
    suppression_add,
)
from rabatt.core.errors import DomainError
from rabatt.core.formats import money
from rabatt.referrals.selectors import referral_funnel


class Command(BaseCommand):
    help = "Issue unique codes for a campaign."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue new codes")
        issue.add_argument("slug")
        issue.add_argument("--count", type=int, required=True)
        issue.add_argument("--channel", choices=["retailer", "direct"], default="retailer")
        issue.add_argument("--out", help="write the codes to this file instead of stdout")
        issue.add_argument("--note", default="")
        dist = sub.add_parser("distribute", help="e-mail each person on a list their code")
        dist.add_argument("slug")
        dist.add_argument("file", help="CSV with email, name and locale columns")
        dist.add_argument("--channel", choices=["retailer", "direct"], default="retailer")
        dist.add_argument("--rate", default=None,
                          help="messages per second, e.g. 5 or 5/s (default 5)")
        bounces = sub.add_parser("bounces", help="mark addresses bounced (list or DSN files)")
        bounces.add_argument("files", nargs="+")
        report = sub.add_parser("report", help="codes, redemptions and the referral funnel")
        report.add_argument("slug")
        report.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "distribute":
            return distribute(self, options)
        if action == "bounces":
            return bounces(self, options)
        if action == "report":
            return report(self, options)
        if options["count"] < 1 or options["count"] > 10_000_000:
            raise CommandError("--count must be between 1 and 10,000,000")
        try:
            campaign = campaign_get(slug=options["slug"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        with ExitStack() as stack:
            out: TextIO = self.stdout  # type: ignore[assignment]
            if options["out"]:
                try:
                    out = stack.enter_context(open(options["out"], "x", encoding="ascii"))
                except OSError as exc:
                    raise CommandError(f"cannot write {options['out']}: {exc}") from None
            bar = stack.enter_context(tqdm(
                total=options["count"], unit="code", file=sys.stderr,
                disable=None, desc="Issuing",
            ))
            try:
                for code in codes_issue(
                    campaign=campaign, channel=options["channel"], count=options["count"],
                    note=options["note"], progress=bar.update,
                ):
                    out.write(display(code) + "\n")
            except DomainError as exc:
                raise CommandError(str(exc)) from None
        if options["out"]:
            self.stderr.write(f"Wrote {options['count']} codes to {options['out']}")


def _campaign(slug: str) -> Any:
    try:
        return campaign_get(slug=slug)
    except DomainError as exc:
        raise CommandError(str(exc)) from None


def _rate(text: str | None) -> float:
    if text is None:
        return distribution_rate()
    try:
        rate = float(text.removesuffix("/s"))
    except ValueError:
        raise CommandError("--rate takes messages per second, e.g. 5 or 5/s") from None
    if rate <= 0:
        raise CommandError("--rate must be above 0")
    return rate


def distribute(command: BaseCommand, options: dict[str, Any]) -> None:
    campaign = _campaign(options["slug"])
    rate = _rate(options["rate"])
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    rows, problems = read_recipients(path, default_locale=campaign.default_locale)
    for problem in problems:
        command.stderr.write(problem)
    if not campaign.channels.filter(channel=options["channel"]).exists():
        raise CommandError(f"the campaign has no {options['channel']} channel")
    new, known = recipients_import(campaign=campaign, rows=rows)
    command.stderr.write(f"{new} new recipients, {known} already listed, "
                         f"{len(problems)} lines skipped")
    todo = list(recipients_to_send(campaign=campaign).values_list("pk", flat=True))
    counts: dict[str, int] = {}
    queued: list[int] = []
    interval = 1.0 / rate
    with tqdm(total=len(todo), unit="mail", file=sys.stderr, disable=None,
              desc="Sending") as bar:
        next_at = time.monotonic()
        for recipient_id in todo:
            recipient_code_assign(recipient_id=recipient_id, channel=options["channel"])
            result = recipient_send(recipient_id=recipient_id)
            bar.update(1)
            if result != "queued":
                counts[result] = counts.get(result, 0) + 1
                continue
            queued.append(recipient_id)
            # Each e-mail leaves as soon as it is queued, so pacing the queue paces the sending.
            next_at += interval
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_at = time.monotonic()
    # What the outbox has done so far (everything, when tasks run inline); the rest is queued.
    for status, n in recipients_status_counts(recipient_ids=queued).items():
        label = "queued" if status == RecipientStatus.SENDING else status
        counts[label] = counts.get(label, 0) + n
    command.stdout.write(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or
                         "nothing to send")


def bounces(command: BaseCommand, options: dict[str, Any]) -> None:
    added = seen = 0
    for name in options["files"]:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        for address, detail in read_bounces(path):
            seen += 1
            if suppression_add(email=address, reason="bounced", detail=detail):
                added += 1
    command.stdout.write(f"{seen} bounced addresses read, {added} newly suppressed")


def report(command: BaseCommand, options: dict[str, Any]) -> None:
    campaign = _campaign(options["slug"])
    data = codes_report(campaign=campaign)
    data["referrals"] = referral_funnel(campaign=campaign)
    if options["json"]:
        command.stdout.write(json.dumps(data, indent=2, sort_keys=True))
        return
    out = [f"Campaign {campaign.slug}", "",
           f"{'channel':<10}{'issued':>10}{'available':>11}{'used':>10}{'void':>10}"]
    for channel, row in sorted(data["codes"].items()):
        out.append(f"{channel:<10}{row['issued']:>10}{row['available']:>11}{row['used']:>10}"
                   f"{row['void']:>10}")
    out += ["", "redemptions: " + ", ".join(f"{k} {v}" for k, v in data["redemptions"].items())]
    out += ["", f"{'currency':<10}{'discount given':>16}{'voided':>12}"]
    for currency, sums in data["discount"].items():
        out.append(f"{currency:<10}{money(sums['given'], currency, 'en'):>16}"
                   f"{money(sums['voided'], currency, 'en'):>12}")
    out += ["", "distribution: " + ", ".join(f"{k} {v}" for k, v in
                                              data["distribution"].items())]
    out += ["referral funnel: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in
                                            data["referrals"].items())]
    command.stdout.write("\n".join(out))
