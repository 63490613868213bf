"""Drop the books.user_id index of its own: every composite index on books leads with user_id.

On SQLite, altering the column rebuilds the table, which the SQL views reading ``books`` do
not survive, so the views are dropped first and created again afterwards (on both databases,
to keep one code path).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations
from django.db import models

from tracker_api.books.migrations import _sql_views_0002 as _views


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0002_search_trigram"),
        ("audible_sync", "0002_sql_views"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_views.drop_views, _views.create_views, elidable=False),
        migrations.AlterField(
            model_name="book",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="books",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(_views.create_views, _views.drop_views, elidable=False),
    ]
