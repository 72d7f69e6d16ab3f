# One outbox for every e-mail: the claim e-mail rows become generic rows (a deduplication key
# instead of the link to the claim event, a template and its context), and the suppression
# list moves here from the codes app.

from django.db import migrations, models

ANSWER_LINK_KINDS = ("request_info", "mark_payment_failed")


def copy_suppressions(apps, schema_editor):
    Old = apps.get_model("codes", "Suppression")
    New = apps.get_model("notifications", "Suppression")
    New.objects.bulk_create(
        [New(email_normalised=row.email_normalised, reason=row.reason, detail=row.detail,
             created_at=row.created_at) for row in Old.objects.all()],
        batch_size=1000,
    )


def convert_rows(apps, schema_editor):
    OutboundEmail = apps.get_model("notifications", "OutboundEmail")
    for row in OutboundEmail.objects.select_related("event__claim").iterator():
        event = row.event
        row.to = row.to.strip().lower()
        if event is None:
            row.dedup_key = f"legacy:{row.pk}"
            row.template = "claims/email/claim_event"
            if row.status == "pending":
                row.status = "failed"  # nothing left to say what it was about
            row.save()
            continue
        claim = event.claim
        token = (event.data or {}).get("token") if event.kind in ANSWER_LINK_KINDS else None
        row.dedup_key = f"claim-event:{event.pk}"
        row.kind = f"claim.{event.kind}"
        row.template = "claims/email/claim_event"
        row.locale = claim.locale or "en"
        row.context = {"kind": event.kind, "reference": claim.reference,
                       "first_name": claim.first_name, "reasons": list(event.reasons or []),
                       "message": event.message, "answer_token": token or ""}
        if event.kind == "request_info":
            row.on_result = "claims.info_request_emailed"
            row.hook_args = {"claim_id": claim.pk}
        row.save()


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0003_typed_signals_idempotency_moved"),
        ("codes", "0002_shop_redemptions_distribution"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Suppression",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("email_normalised", models.CharField(max_length=254, unique=True)),
                ("reason", models.CharField(choices=[("bounced", "Bounced"),
                                                     ("unsubscribed", "Unsubscribed")],
                                            max_length=16)),
                ("detail", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(copy_suppressions, migrations.RunPython.noop),
        migrations.AddField(model_name="outboundemail", name="dedup_key",
                            field=models.CharField(max_length=200, null=True)),
        migrations.AddField(model_name="outboundemail", name="template",
                            field=models.CharField(default="", max_length=100),
                            preserve_default=False),
        migrations.AddField(model_name="outboundemail", name="context",
                            field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="outboundemail", name="locale",
                            field=models.CharField(default="en", max_length=8)),
        migrations.AddField(model_name="outboundemail", name="marketing",
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name="outboundemail", name="unsubscribe_path",
                            field=models.CharField(blank=True, max_length=300)),
        migrations.AddField(model_name="outboundemail", name="on_result",
                            field=models.CharField(blank=True, max_length=60)),
        migrations.AddField(model_name="outboundemail", name="hook_args",
                            field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="outboundemail", name="next_attempt_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="outboundemail", name="lease_until",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AlterField(
            model_name="outboundemail", name="status",
            field=models.CharField(choices=[
                ("pending", "Waiting to be sent"), ("sending", "Being sent"), ("sent", "Sent"),
                ("failed", "Sending failed"),
                ("suppressed", "Not sent (unsubscribed or bounced)")],
                default="pending", max_length=10),
        ),
        migrations.RunPython(convert_rows, migrations.RunPython.noop),
        migrations.AlterField(model_name="outboundemail", name="dedup_key",
                              field=models.CharField(max_length=200, unique=True)),
        migrations.RemoveField(model_name="outboundemail", name="event"),
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ),
    ]
