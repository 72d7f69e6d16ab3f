"""``rabatt payouts ...``: paying accounts, batches, bank files, imports, due-date alerts.

Actor identity: ``--as EMAIL`` names the staff user who acts. Building and approving a batch
need it (four eyes: two different finance users). Exporting, importing and the alert may run
without it, as the system (a scheduled job), because no second person's check is involved:
the batch was approved by a person before any file can be produced.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.campaigns.models import Campaign
from rabatt.core.errors import DomainError
from rabatt.core.formats import money
from rabatt.payouts import selectors, services
from rabatt.payouts.models import BatchStatus
from rabatt.payouts.sealing import SealError


def _user(email: str | None, *, required: bool) -> User | None:
    if not email:
        if required:
            raise CommandError("--as EMAIL is required: this action needs a named finance user")
        return None
    user = User.objects.filter(username=email.strip().lower()).first() or \
        User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user {email}.")
    return user


class Command(BaseCommand):
    help = "Payout batches, bank files (pain.001), bank answers (pain.002, camt.053/054)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("batch", help="build a batch from approved claims; prints its id")
        build.add_argument("--currency", required=True)
        build.add_argument("--campaign", help="campaign slug")
        build.add_argument("--payer", help="paying account name")
        build.add_argument("--limit", type=int)
        build.add_argument("--as", dest="as_user", help="the finance user building it")
        approve = sub.add_parser("approve", help="approve a batch (a second finance user)")
        approve.add_argument("batch", type=int)
        approve.add_argument("--as", dest="as_user", help="the finance user approving it")
        cancel = sub.add_parser("cancel", help="cancel a batch before its file exists")
        cancel.add_argument("batch", type=int)
        cancel.add_argument("--as", dest="as_user")
        export = sub.add_parser("export", help="write the batch's bank file (same file again)")
        export.add_argument("batch", type=int)
        export.add_argument("--format", dest="version", choices=list(services.VERSIONS))
        export.add_argument("--out", required=True, help="file to write, or - for stdout")
        export.add_argument("--as", dest="as_user")
        imp = sub.add_parser("import", help="import a pain.002, camt.053 or camt.054 file")
        imp.add_argument("file")
        imp.add_argument("--as", dest="as_user")
        listing = sub.add_parser("list", help="list the latest batches, newest first")
        listing.add_argument("--limit", type=int, default=20)
        sub.add_parser("alert-due", help="e-mail finance about claims due within 5 days or late")
        payer = sub.add_parser("payer", help="paying accounts")
        payer_sub = payer.add_subparsers(dest="payer_action", required=True)
        add = payer_sub.add_parser("add", help="add a paying account")
        add.add_argument("name")
        add.add_argument("--iban", required=True)
        add.add_argument("--bic", default="")
        add.add_argument("--country", required=True)
        add.add_argument("--currency", dest="currencies", action="append", required=True,
                         help="a currency it pays (repeat for several)")
        add.add_argument("--initiating-party-id", default="")
        add.add_argument("--format", dest="file_version", default="pain.001.001.09",
                         choices=list(services.VERSIONS))
        payer_sub.add_parser("list", help="list paying accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except DomainError as exc:
            details = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} [{exc.code}]{details}") from None

    def _batch(self, o: dict[str, Any]) -> None:
        actor = _user(o["as_user"], required=True)
        assert actor is not None
        campaign = None
        if o["campaign"]:
            campaign = Campaign.objects.filter(slug=o["campaign"]).first()
            if campaign is None:
                raise CommandError(f"No campaign {o['campaign']}.")
        payer = selectors.payer_by_name(name=o["payer"]) if o["payer"] else None
        batch = services.payout_batch_build(actor=actor, currency=o["currency"], payer=payer,
                                            campaign=campaign, limit=o["limit"])
        self.stderr.write(f"Built {batch.message_id}: {batch.count} payments, "
                          f"{money(batch.total, batch.currency, 'en')}; a second finance user "
                          f"must approve it.")
        self.stdout.write(str(batch.pk))

    def _approve(self, o: dict[str, Any]) -> None:
        actor = _user(o["as_user"], required=True)
        assert actor is not None
        batch = services.payout_batch_approve(batch_id=o["batch"], actor=actor)
        self.stdout.write(f"Approved {batch.message_id}: {batch.count} payments, "
                          f"{money(batch.total, batch.currency, 'en')}.")

    def _cancel(self, o: dict[str, Any]) -> None:
        actor = _user(o["as_user"], required=True)
        assert actor is not None
        batch = services.payout_batch_cancel(batch_id=o["batch"], actor=actor)
        self.stdout.write(f"Cancelled {batch.message_id}.")

    def _export(self, o: dict[str, Any]) -> None:
        actor = _user(o["as_user"], required=False)
        batch = services.payout_batch_export(batch_id=o["batch"], actor=actor,
                                             version=o["version"])
        if batch.status == BatchStatus.CANCELLED:
            raise CommandError(f"{batch.message_id} was cancelled: none of its claims can be "
                               "paid any more.")
        batch, chunks = services.bank_file_read(batch_id=batch.pk, actor=actor, via="cli")
        target = o["out"]
        try:
            if target == "-":
                for chunk in chunks:
                    self.stdout.buffer.write(chunk)  # type: ignore[attr-defined]
                return
            tmp = Path(f"{target}.part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            tmp.replace(target)
        except SealError as exc:
            Path(f"{target}.part").unlink(missing_ok=True)
            raise CommandError(f"The stored bank file cannot be read: {exc}") from None
        self.stderr.write(f"Wrote {batch.file_version} {batch.message_id} to {target}: "
                          f"{batch.count} payments, {batch.total} {batch.currency}, "
                          f"sha256 {batch.file_sha256}")

    def _import(self, o: dict[str, Any]) -> None:
        actor = _user(o["as_user"], required=False)
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with open(path, "rb") as fh:
            result = services.bank_file_import(source=fh, filename=path.name, actor=actor)
        log = result.log
        if result.already:
            self.stdout.write(f"Already imported on {log.imported_at:%Y-%m-%d %H:%M} UTC "
                              f"({log.kind} {log.message_id}); nothing was changed.")
        self.stdout.write(
            f"{log.kind} {log.message_id}: {log.paid} paid, {log.failed} failed, "
            f"{log.pending} pending, {log.unchanged} unchanged, {log.unmatched_count} unmatched, "
            f"{log.problem_count} problems")
        for entry in log.unmatched:
            self.stdout.write(
                f"  unmatched: {entry.get('end_to_end_id') or '-'} ref {entry.get('reference')}"
                f" {money(entry.get('amount'), entry.get('currency') or 'XXX', 'en')} "
                f"{entry.get('credit_debit') or ''} {entry.get('info') or ''}".rstrip())
        for problem in log.problems:
            self.stdout.write(f"  problem: {problem['end_to_end_id']}: {problem['problem']}")

    def _list(self, o: dict[str, Any]) -> None:
        rows = selectors.batches_latest(limit=o["limit"])
        if not rows:
            self.stdout.write("No batches yet.")
        for b in rows:
            campaign = b.campaign.slug if b.campaign else "-"
            self.stdout.write(
                f"{b.pk}\t{b.message_id or '-'}\t{b.status}\t{b.count} payment(s)\t"
                f"{money(b.total, b.currency, 'en')}\t{campaign}\t{b.payer.name}\t"
                f"{b.built_at:%Y-%m-%d %H:%M} UTC")

    def _alert_due(self, o: dict[str, Any]) -> None:
        n = services.payouts_alert_due()
        self.stdout.write(f"Alerted finance about {n} claim(s)." if n
                          else "Nothing new to alert about.")

    def _payer(self, o: dict[str, Any]) -> None:
        if o["payer_action"] == "list":
            for p in selectors.payers_active():
                self.stdout.write(f"{p.name}\t{p.iban}\t{p.bic}\t{p.country}\t"
                                  f"{','.join(p.currencies)}\t{p.file_version}")
            return
        payer = services.payer_create(
            name=o["name"], iban=o["iban"], bic=o["bic"], country=o["country"],
            currencies=o["currencies"], initiating_party_id=o["initiating_party_id"],
            file_version=o["file_version"])
        self.stdout.write(f"Added paying account {payer.name} ({payer.iban}, "
                          f"{', '.join(payer.currencies)}).")
