"""Interrupted runs as data: ``AudibleSyncLog.error_code``, filled in for the rows that the
lock's sweep closed before the column existed (found, this once, by their sentence)."""

from django.db import migrations
from django.db import models

# tracker_api.audible_sync.sync.lock.INTERRUPTED as it was written to the rows; copied, so the
# migration keeps meaning what it meant when the sentence changes.
INTERRUPTED = (
    "This sync was interrupted (the process running it stopped) before it finished; "
    "nothing of it was applied."
)


def mark_interrupted(apps, schema_editor):
    logs = apps.get_model("audible_sync", "AudibleSyncLog")
    logs.objects.filter(status="failed", error=INTERRUPTED).update(error_code="interrupted")


class Migration(migrations.Migration):
    dependencies = [
        ("audible_sync", "0007_listening_stats"),
    ]

    operations = [
        migrations.AddField(
            model_name="audiblesynclog",
            name="error_code",
            field=models.CharField(
                blank=True,
                choices=[("interrupted", "Interrupted (the process running it stopped)")],
                max_length=20,
                null=True,
            ),
        ),
        migrations.RunPython(mark_interrupted, migrations.RunPython.noop),
    ]
