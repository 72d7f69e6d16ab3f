# Claim.signals gives way to typed homes: the bank holder match stays here as a column, the
# receipt check moves to receipts.ReceiptCheck and the automatic decision to
# review.AutomaticDecision (their migrations copy the data); the JSON column goes in 0004.
# IdempotencyRecord moved to core with its table (state only).

from django.db import migrations, models


def copy_bank_holder_match(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    for pk, signals in Claim.objects.exclude(signals={}).values_list("pk", "signals").iterator():
        match = signals.get("bank_holder_match") if isinstance(signals, dict) else None
        if isinstance(match, int | float) and not isinstance(match, bool):
            Claim.objects.filter(pk=pk).update(bank_holder_match=float(match))


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0002_claim_claims_clai_status_c351ea_idx_and_more"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="idempotencyrecord",
                                            name="uniq_idempotency_key"),
                migrations.DeleteModel(name="IdempotencyRecord"),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="claim",
            name="bank_holder_match",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(copy_bank_holder_match, migrations.RunPython.noop),
    ]
