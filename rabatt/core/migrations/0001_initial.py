# The idempotency records moved here from the claims app with their table: state only.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("claims", "0002_claim_claims_clai_status_c351ea_idx_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("scope", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=200)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status", models.PositiveSmallIntegerField()),
                        ("response", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "claims_idempotencyrecord",
                        "constraints": [models.UniqueConstraint(
                            fields=("scope", "key"), name="uniq_idempotency_key")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
