# The receipt check of a claim, formerly claims.Claim.signals["receipts", "fields",
# "duplicates"], gets its own typed table. Malformed old values are left out (they could not be
# shown anyway).

import django.db.models.deletion
from django.db import migrations, models
from django.utils.dateparse import parse_datetime

FIELD_STATUSES = {"verified", "mismatch", "unreadable"}
DUPLICATE_KINDS = {"exact", "near", "text"}


def _fields(raw):
    if not isinstance(raw, dict):
        return {}
    return {str(name): value for name, value in raw.items()
            if isinstance(value, dict) and value.get("status") in FIELD_STATUSES}


def _duplicates(raw):
    if not isinstance(raw, list):
        return []
    return [d for d in raw if isinstance(d, dict) and d.get("kind") in DUPLICATE_KINDS]


def _count(value):
    return max(0, int(value)) if isinstance(value, int) and not isinstance(value, bool) else 0


def copy_checks(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    ReceiptCheck = apps.get_model("receipts", "ReceiptCheck")
    for pk, signals in Claim.objects.exclude(signals={}).values_list("pk", "signals").iterator():
        receipts = signals.get("receipts") if isinstance(signals, dict) else None
        if not isinstance(receipts, dict) or receipts.get("status") not in (
                "reading", "done", "failed"):
            continue
        checked = receipts.get("checked_at")
        duplicates = _duplicates(signals.get("duplicates"))
        ReceiptCheck.objects.create(
            claim_id=pk, status=receipts["status"], files=_count(receipts.get("files")),
            read=_count(receipts.get("read")),
            checked_at=parse_datetime(checked) if isinstance(checked, str) else None,
            fields=_fields(signals.get("fields")), duplicates=duplicates,
            duplicate_count=len(duplicates))


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0003_typed_signals_idempotency_moved"),
        ("receipts", "0002_receiptfile_extraction_receiptfile_phash_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("status", models.CharField(choices=[("reading", "Receipts being read"),
                                                     ("done", "Receipts checked"),
                                                     ("failed", "Receipts could not be read")],
                                            default="reading", max_length=10)),
                ("files", models.PositiveSmallIntegerField(default=0)),
                ("read", models.PositiveSmallIntegerField(default=0)),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("fields", models.JSONField(blank=True, default=dict)),
                ("duplicates", models.JSONField(blank=True, default=list)),
                ("duplicate_count", models.PositiveSmallIntegerField(db_index=True, default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("claim", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="receipt_check",
                                               to="claims.claim")),
            ],
        ),
        migrations.RunPython(copy_checks, migrations.RunPython.noop),
    ]
