from django.db import migrations, models


def email_pattern(email):
    # A copy of claims.services.email_pattern as it was when this migration was written.
    local, _sep, domain = email.strip().lower().rpartition("@")
    if not local or not domain:
        return ""
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    stem = local.rstrip("0123456789._-")
    return f"{stem}*@{domain}" if len(stem) >= 3 else ""


def backfill(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    batch = []
    for claim in Claim.objects.only("pk", "email").iterator(chunk_size=2000):
        claim.email_pattern = email_pattern(claim.email)
        batch.append(claim)
        if len(batch) >= 2000:
            Claim.objects.bulk_update(batch, ["email_pattern"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["email_pattern"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_remove_claim_signals")]

    operations = [
        migrations.AddField(
            model_name="claim", name="email_pattern",
            field=models.CharField(blank=True, db_index=True, max_length=254),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
