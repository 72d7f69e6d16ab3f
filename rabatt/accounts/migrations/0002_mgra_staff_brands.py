from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('campaigns', '0002_mgra_brand'),
    ]

    operations = [
        migrations.AddField(
            model_name='staffprofile',
            name='brands',
            field=models.ManyToManyField(blank=True, related_name='staff', to='campaigns.brand'),
        ),
    ]
