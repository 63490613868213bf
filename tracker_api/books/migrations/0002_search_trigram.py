"""PostgreSQL only: pg_trgm and a GIN trigram index on the normalised search text.

It powers ``?search=`` (``LIKE '%q%'`` and the ``<%`` word-similarity operator both use it).
SQLite has neither and falls back to a plain scan with ``LIKE``.
"""

from django.db import migrations

INDEX = "books_search_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Trusted extension since PostgreSQL 13: the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON books USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    # The extension stays: other objects may use it, and keeping it is harmless.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
