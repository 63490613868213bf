"""The database cache table the throttles count in (``CACHES["throttle"]``), so ``migrate``
is all a deployment needs (no separate ``createcachetable`` step)."""

from __future__ import annotations

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_person_group")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
