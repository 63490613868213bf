from django.db import migrations
from django.db import models


class Migration(migrations.Migration):
    dependencies = [
        ("audible_sync", "0004_sync_log_audible_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="audiblesynclog",
            name="items_applied",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
