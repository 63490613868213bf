"""Reads are the record: every read has a percent and a source, at most one read is open.

The data step gives every book that is being read or has been read the reads its status
implies (an open read for ``reading``, a finished read for ``read``, a ``did_not_finish`` read),
so the book's status can be derived from its reads from now on. Reads that existed already came
from the sync (source ``audible`` when the book has an Audible mapping, else ``manual``). Where
a book had two open reads (never written by the sync, possible by hand), the older ones are kept
as ``did_not_finish`` so none is lost and the one-open-read rule (0005, a migration of its own:
PostgreSQL will not build an index in the transaction that just wrote the rows) holds.
"""

from django.db import migrations
from django.db import models

_SOURCE_OF_BOOK = {"goodreads": "import", "storygraph": "import", "audible": "audible"}
BATCH = 1000


def backfill(apps, schema_editor):
    Book = apps.get_model("books", "Book")
    BookRead = apps.get_model("books", "BookRead")
    Mapping = apps.get_model("audible_sync", "AudibleBookMapping")
    mapped = set(Mapping.objects.exclude(book_id=None).values_list("book_id", flat=True))
    percent_of = dict(Book.objects.values_list("id", "progress_percent"))

    # Existing reads: percent and source, and no second open read per book.
    open_seen: set[int] = set()
    changed = []
    for read in BookRead.objects.order_by("book_id", "-id").iterator(chunk_size=BATCH):
        read.source = "audible" if read.book_id in mapped else "manual"
        if read.status == "read":
            read.percent = 100.0
        else:
            read.percent = min(100.0, max(0.0, float(percent_of.get(read.book_id) or 0.0)))
        if read.status == "reading":
            if read.book_id in open_seen:
                read.status = "did_not_finish"
            open_seen.add(read.book_id)
        changed.append(read)
        if len(changed) >= BATCH:
            BookRead.objects.bulk_update(changed, ["source", "percent", "status"])
            changed = []
    if changed:
        BookRead.objects.bulk_update(changed, ["source", "percent", "status"])

    # Books whose status has no read to show for it.
    statuses = {}
    for book_id, status in BookRead.objects.values_list("book_id", "status"):
        statuses.setdefault(book_id, set()).add(status)
    new = []
    for book in Book.objects.exclude(status="want_to_read").iterator(chunk_size=BATCH):
        have = statuses.get(book.id, set())
        if book.status in have:
            continue
        if book.status == "did_not_finish" and have:
            continue  # an earlier read stays the record; dnf applies to the book
        source = _SOURCE_OF_BOOK.get(book.source, "manual")
        if book.id in mapped and source == "manual":
            source = "audible"
        new.append(
            BookRead(
                book_id=book.id,
                status=book.status,
                started_at=book.started_at,
                finished_at=None if book.status == "reading" else book.finished_at,
                percent=100.0 if book.status == "read" else float(book.progress_percent or 0),
                source=source,
            )
        )
        if len(new) >= BATCH:
            BookRead.objects.bulk_create(new)
            new = []
    if new:
        BookRead.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0003_drop_redundant_user_index"),
        ("audible_sync", "0002_sql_views"),
    ]

    operations = [
        migrations.AddField(
            model_name="bookread",
            name="percent",
            field=models.FloatField(default=0),
        ),
        migrations.AddField(
            model_name="bookread",
            name="source",
            field=models.CharField(
                choices=[("audible", "Audible"), ("import", "Import"), ("manual", "By hand")],
                default="manual",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="bookread",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddConstraint(
            model_name="bookread",
            constraint=models.CheckConstraint(
                condition=models.Q(("percent__gte", 0), ("percent__lte", 100)),
                name="book_reads_percent_0_100",
            ),
        ),
        migrations.AddConstraint(
            model_name="bookread",
            constraint=models.CheckConstraint(
                condition=models.Q(("source__in", ["audible", "import", "manual"])),
                name="book_reads_source_valid",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
