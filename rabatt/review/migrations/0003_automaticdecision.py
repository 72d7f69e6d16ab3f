# The automatic decision, formerly claims.Claim.signals["automatic"], gets its own table.

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OUTCOMES = ("approved", "sampled", "not_eligible", "off")


def copy_decisions(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    AutomaticDecision = apps.get_model("review", "AutomaticDecision")
    for pk, signals in Claim.objects.exclude(signals={}).values_list("pk", "signals").iterator():
        automatic = signals.get("automatic") if isinstance(signals, dict) else None
        if not isinstance(automatic, dict) or automatic.get("outcome") not in OUTCOMES:
            continue
        reasons = automatic.get("reasons")
        at = automatic.get("at")
        AutomaticDecision.objects.create(
            claim_id=pk, outcome=automatic["outcome"],
            reasons=[str(r) for r in reasons] if isinstance(reasons, list) else [],
            at=(parse_datetime(at) if isinstance(at, str) else None) or timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0003_typed_signals_idempotency_moved"),
        ("review", "0002_alter_approvalrequest_requested_by"),
    ]

    operations = [
        migrations.CreateModel(
            name="AutomaticDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("outcome", models.CharField(choices=[
                    ("approved", "Approved automatically"),
                    ("sampled", "Picked for a supervisor's check"),
                    ("not_eligible", "Not eligible for automatic approval"),
                    ("off", "Automatic approval is off")], max_length=12)),
                ("reasons", models.JSONField(blank=True, default=list)),
                ("at", models.DateTimeField()),
                ("claim", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="automatic_decision",
                                               to="claims.claim")),
            ],
        ),
        migrations.RunPython(copy_decisions, migrations.RunPython.noop),
    ]
