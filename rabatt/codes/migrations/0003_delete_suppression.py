# The suppression list moved to the notifications outbox (its rows were copied there).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("codes", "0002_shop_redemptions_distribution"),
        ("notifications", "0002_one_outbox"),
    ]

    operations = [
        migrations.DeleteModel(name="Suppression"),
    ]
