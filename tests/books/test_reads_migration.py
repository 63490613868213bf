"""Migration books.0004: every book being read or read gets the reads its status implies."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("books", "0003_drop_redundant_user_index"), ("audible_sync", "0002_sql_views")]
AFTER = [("books", "0004_reads_are_the_record")]
DAY = datetime(2024, 5, 1, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.slow  # migrates the database back and forth: run by make test
@pytest.mark.django_db(transaction=True)
def test_existing_books_get_their_reads_and_existing_reads_their_percent_and_source():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Book = old.get_model("books", "Book")
    Read = old.get_model("books", "BookRead")
    Mapping = old.get_model("audible_sync", "AudibleBookMapping")
    user = User.objects.create(username="migrated")

    def book(title, status, **extra):
        return Book.objects.create(user=user, title=title, status=status, **extra)

    reading = book("Reading, no read", "reading", progress_percent=30.0, source="goodreads")
    done = book("Read, no read", "read", progress_percent=100.0, finished_at=DAY)
    dnf = book("Dropped", "did_not_finish", progress_percent=12.0)
    wanted = book("Wanted", "want_to_read")
    synced = book("Synced", "reading", progress_percent=55.0, source="audible")
    Mapping.objects.create(user=user, asin="B0MIGRATE1", book=synced, match_method="created")
    Read.objects.create(book=synced, status="reading")
    Read.objects.create(book=synced, status="reading")  # two open reads: older one kept closed

    new = migrate(AFTER)
    Read = new.get_model("books", "BookRead")

    def reads_of(b):
        return list(
            Read.objects.filter(book_id=b.pk)
            .order_by("id")
            .values_list("status", "percent", "source", "finished_at")
        )

    assert reads_of(reading) == [("reading", 30.0, "import", None)]
    assert reads_of(done) == [("read", 100.0, "manual", DAY)]
    assert reads_of(dnf) == [("did_not_finish", 12.0, "manual", None)]
    assert reads_of(wanted) == []
    assert reads_of(synced) == [
        ("did_not_finish", 55.0, "audible", None),
        ("reading", 55.0, "audible", None),
    ]
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect
