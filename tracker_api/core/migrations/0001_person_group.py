"""The ``person`` group with exactly the permissions a person needs (tracker_api.core.roles).

``post_migrate`` keeps it current afterwards; reversing leaves the group alone (people may be
members of it, and removing it would lock them out of the admin).
"""

from __future__ import annotations

from django.db import migrations


def create_person_group(apps, schema_editor):
    from tracker_api.core.roles import sync_person_group

    sync_person_group(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("books", "0003_drop_redundant_user_index"),
        ("audible_sync", "0003_force_sync_permission"),
    ]

    operations = [migrations.RunPython(create_person_group, migrations.RunPython.noop)]
