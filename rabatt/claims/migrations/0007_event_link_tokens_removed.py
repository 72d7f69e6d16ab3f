"""Drop the answer and bank links' secrets from the claims' history.

Until now an information request or a failed payment kept its link's token in the event's
data, in plain text, where anyone who may read the history could copy the consumer's link.
The link itself keeps working: its row (InfoRequestToken) holds only a hash.
"""

from django.db import migrations

BATCH = 1000


def forget_tokens(apps, schema_editor):
    ClaimEvent = apps.get_model("claims", "ClaimEvent")
    events = ClaimEvent.objects.filter(kind__in=("request_info", "mark_payment_failed"))
    changed = []
    for event in events.only("pk", "data").iterator(chunk_size=BATCH):
        if isinstance(event.data, dict) and "token" in event.data:
            event.data = {k: v for k, v in event.data.items() if k != "token"}
            changed.append(event)
        if len(changed) >= BATCH:
            ClaimEvent.objects.bulk_update(changed, ["data"])
            changed = []
    if changed:
        ClaimEvent.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_claim_device_fingerprint")]

    operations = [migrations.RunPython(forget_tokens, migrations.RunPython.noop)]
