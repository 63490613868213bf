"""Contributors (illustrators, translators, narrators, editors...) kept apart from authors.

Names an author list marks with a role that is not an author's ("Ann Lee (Illustrator)",
"Bo Ek - translator") move to the new column; unmarked names stay authors. On SQLite adding
the column rebuilds the table, which the SQL views reading ``books`` do not survive: they are
dropped first and created again afterwards (as in 0003).
"""

from django.db import migrations
from django.db import models

from tracker_api.books.migrations import _sql_views_0002 as _views


def move_marked_names(apps, schema_editor):
    from tracker_api.books.credits import split_credits

    Book = apps.get_model("books", "Book")
    changed = []
    for book in Book.objects.exclude(authors=[]).only("id", "authors", "contributors").iterator():
        authors, contributors = split_credits(book.authors or [])
        if contributors:
            book.authors, book.contributors = authors, contributors
            changed.append(book)
        if len(changed) >= 1000:
            Book.objects.bulk_update(changed, ["authors", "contributors"])
            changed = []
    if changed:
        Book.objects.bulk_update(changed, ["authors", "contributors"])


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0005_one_open_read_per_book"),
        ("audible_sync", "0002_sql_views"),
    ]

    operations = [
        migrations.RunPython(_views.drop_views, _views.create_views, elidable=False),
        migrations.AddField(
            model_name="book",
            name="contributors",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Others credited, not as authors: [{"name": ..., "role": '
                '"illustrator"}]; role "" when the source does not say.',
            ),
        ),
        migrations.RunPython(_views.create_views, _views.drop_views, elidable=False),
        migrations.RunPython(move_marked_names, migrations.RunPython.noop),
    ]
