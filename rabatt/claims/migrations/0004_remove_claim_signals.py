# The receipt check and the automatic decision now live in their own apps' tables.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0003_typed_signals_idempotency_moved"),
        ("receipts", "0003_receiptcheck"),
        ("review", "0003_automaticdecision"),
    ]

    operations = [
        migrations.RemoveField(model_name="claim", name="signals"),
    ]
