"""Recompute ``search_text`` with the one folding rule (the matcher's: "&" -> "and", letters
of every script kept), so stored rows and folded queries agree."""

from django.db import migrations


def refold(apps, schema_editor):
    from tracker_api.books.text import search_text

    Book = apps.get_model("books", "Book")
    changed = []
    for book in Book.objects.only("id", "title", "authors", "search_text").iterator(
        chunk_size=2000
    ):
        text = search_text(book.title, book.authors or [])
        if text != book.search_text:
            book.search_text = text
            changed.append(book)
        if len(changed) >= 1000:
            Book.objects.bulk_update(changed, ["search_text"])
            changed = []
    if changed:
        Book.objects.bulk_update(changed, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("books", "0006_book_contributors")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
