from django.db import migrations
from django.db import models


class Migration(migrations.Migration):
    dependencies = [
        ("audible_sync", "0005_change_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="audiblesynclog",
            name="items_applied",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
