import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabatt.core.errors import DomainError


class Command(BaseCommand):
    help = "Privacy: the register, retention, the audit chain, partner exports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register", help="the register of processing (Art. 30)")
        register.add_argument("--format", choices=["html", "csv"], default="html")
        register.add_argument("--out", help="write to this file instead of stdout")
        retention = sub.add_parser("retention", help="apply the retention rules now")
        retention.add_argument("--dry-run", action="store_true",
                               help="count what would be deleted, change nothing")
        retention.add_argument("--schedule", action="store_true",
                               help="enqueue the daily retention task instead of running now")
        audit = sub.add_parser("audit", help="the access audit log")
        audit.add_argument("audit_action", choices=["verify"])
        partner = sub.add_parser("partner-export",
                                 help="keyed e-mail hashes of consenting claimants")
        partner.add_argument("partner")
        partner.add_argument("--campaign", required=True)
        partner.add_argument("--out")
        sub.add_parser("check", help="check that the data map covers every field")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _write(self, text: str, out: str | None) -> None:
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {out}")
        else:
            self.stdout.write(text, ending="")

    def _register(self, options: dict[str, Any]) -> None:
        from rabatt.privacy.register import register_csv, register_html

        text = register_csv() if options["format"] == "csv" else register_html()
        self._write(text, options["out"])

    def _retention(self, options: dict[str, Any]) -> None:
        if options["schedule"]:
            from rabatt.privacy.tasks import retention_daily

            retention_daily.enqueue(True)
            self.stdout.write("Enqueued the daily retention task.")
            return
        from rabatt.privacy.retention import retention_run

        run = retention_run(dry_run=options["dry_run"])
        verb = "Would delete" if run.dry_run else "Deleted"
        for rule, counts in run.report.items():
            self.stdout.write(f"{rule:16} {verb.lower()} {counts.get('deleted', 0)}"
                              + (f" (held: {counts['held']})" if counts.get("held") else ""))
        self.stdout.write(self.style.SUCCESS(f"Retention run {run.pk} recorded."))

    def _audit(self, options: dict[str, Any]) -> None:
        from rabatt.privacy.audit import audit_verify
        from rabatt.privacy.models import AuditHead

        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit log was tampered with: {len(problems)} problem(s).")
        head = AuditHead.objects.filter(pk=1).first()
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact ({head.count if head else 0} entries)."))

    def _partner_export(self, options: dict[str, Any]) -> None:
        from rabatt.privacy.partners import partner_export

        try:
            hashes = partner_export(partner=options["partner"],
                                    campaign_slug=options["campaign"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self._write("".join(f"{h}\n" for h in hashes), options["out"])

    def _check(self, options: dict[str, Any]) -> None:
        from rabatt.privacy.classification import datamap_problems

        problems = datamap_problems()
        for problem in problems:
            sys.stderr.write(problem + "\n")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the data map.")
        self.stdout.write(self.style.SUCCESS("The data map covers every field."))
