"""The models and the migrations agree; the migrations run both ways."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_makemigrations_check_finds_nothing_to_do():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.slow  # every migration down and up again: half a minute, run by make test
@pytest.mark.django_db(transaction=True)
def test_audible_and_book_migrations_reverse_and_reapply():
    call_command("migrate", "audible_sync", "zero", verbosity=0)
    call_command("migrate", "books", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audible_sync_stats")
        assert cursor.fetchone()[0] == 0
