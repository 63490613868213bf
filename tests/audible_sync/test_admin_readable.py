"""The admin says things the way people read them: a run's changes as a table (never JSON),
titles instead of ASINs and ids in page titles, breadcrumbs and messages, statuses in words,
one confidence format, and a rate-limited skip that does not look like an error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.display import change_rows
from tracker_api.audible_sync.display import confidence_text
from tracker_api.audible_sync.display import status_text

pytestmark = pytest.mark.django_db
SKIP_REASON = "Rate limited: the last sync was too recent."


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def breadcrumbs_of(page: str) -> str:
    return re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)


@pytest.mark.parametrize(
    ("value", "text"),
    [("want_to_read", "Want to read"), ("reading", "Reading"), ("read", "Read"), ("", "—")],
)
def test_statuses_are_words(value, text):
    assert status_text(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.9437, "94 %"), (1, "100 %"), (None, "—")])
def test_one_confidence_format(value, text):
    assert confidence_text(value) == text


def test_a_runs_changes_are_a_table_with_links_to_the_books(admin_client, alice):
    book = BookFactory(user=alice, title="The Name of the Wind")
    log = SyncLogFactory(
        user=alice,
        changes=[
            {
                "asin": "B0PZHZFWVU",
                "title": "The Name of the Wind",
                "book_id": book.pk,
                "change": "started",
                "percent": 23.9,
                "previous_percent": 0.0,
                "status": ["want_to_read", "reading"],
            },
            {
                "asin": "B0LINKED01",
                "title": "Dune",
                "book_id": book.pk,
                "change": "linked",
                "method": "isbn",
                "confidence": 0.9437,
            },
            {
                "asin": "B0SKIPPED1",
                "title": "Skipped one",
                "change": "skipped",
                "reason": SKIP_REASON,
            },
        ],
    )
    page = page_of(admin_client, reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk]))
    table = page.split('id="run-changes"')[1]
    assert '"change"' not in page  # no JSON blob anywhere
    assert "[&quot;want_to_read&quot;" not in page
    book_url = reverse("admin:books_book_change", args=[book.pk])
    assert f'<a href="{book_url}">The Name of the Wind</a>' in table
    assert "Started: status" in table
    assert (
        '<span class="audible-before">Want to read</span> → '
        '<span class="audible-after">Reading</span>' in table
    )
    assert (
        '<span class="audible-before">0.0 %</span> → <span class="audible-after">23.9 %</span>'
        in table
    )
    assert "Matched by isbn (confidence 94 %)." in table
    skipped = re.search(
        r'<tr class="audible-change audible-change-(\w+)" data-change="skipped">', table
    )
    assert skipped.group(1) == "neutral"  # not red
    assert SKIP_REASON in table
    assert title_of(page).startswith("Sync of ")


def test_change_rows_read_every_shape():
    rows = change_rows([{"change": "more", "count": 7}, {"change": "error", "message": "Boom"}])
    assert [(r["what"], r["after"], r["tone"]) for r in rows] == [
        ("More changes", "7", "neutral"),
        ("Error", "", "bad"),
    ]
    assert change_rows("not a list") == []


def test_pages_are_titled_by_names_not_ids(admin_client, alice):
    book = BookFactory(user=alice, title="The Fellowship of the Ring")
    mapping = MappingFactory(
        user=alice, asin="B0U7BJ4ERC", book=book, item={"title": "Fellowship (Unabridged)"}
    )
    page = page_of(
        admin_client, reverse("admin:audible_sync_audiblebookmapping_change", args=[mapping.pk])
    )
    assert "Fellowship (Unabridged) ↔ The Fellowship of the Ring" in title_of(page)
    assert "Fellowship (Unabridged) ↔ The Fellowship of the Ring" in breadcrumbs_of(page)
    assert "B0U7BJ4ERC" not in title_of(page) + breadcrumbs_of(page)
    assert f"-&gt; {book.pk}" not in page

    conflict = ConflictFactory(user=alice, asin="B0BHE5I26K", item={"title": "The Silver Chair"})
    page = page_of(
        admin_client, reverse("admin:audible_sync_audibleconflict_change", args=[conflict.pk])
    )
    assert "Conflict: The Silver Chair" in title_of(page)
    assert "Conflict: The Silver Chair" in breadcrumbs_of(page)
    assert "B0BHE5I26K" not in title_of(page) + breadcrumbs_of(page)


def test_relink_messages_name_the_titles(admin_client, alice):
    old = BookFactory(user=alice, title="Old book")
    new = BookFactory(user=alice, title="New book")
    mapping = MappingFactory(user=alice, asin="B0RELINK01", book=old, item={"title": "On Audible"})
    url = reverse("admin:audible_sync_audiblebookmapping_relink", args=[mapping.pk])
    response = admin_client.post(url, {"book_id": new.pk}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert '"On Audible" now links to "New book".' in shown
    assert not any("B0RELINK01" in text for text in shown)


def test_mapping_list_shows_confidence_and_percent_in_one_format(admin_client, alice):
    MappingFactory(
        user=alice, book=BookFactory(user=alice), confidence=0.9437, last_percent=40.0,
        item={"title": "Some title"},
    )  # fmt: skip
    page = page_of(admin_client, reverse("admin:audible_sync_audiblebookmapping_changelist"))
    assert ">94 %<" in page
    assert ">40 %<" in page
    assert "0.9437" not in page


def test_listening_time_reads_in_hours_and_minutes(admin_client, alice):
    from datetime import date

    from tracker_api.audible_sync.models import AudibleListening

    row = AudibleListening.objects.create(
        user=alice, period="day", starts_on=date(2026, 12, 3), listened_ms=125 * 60_000
    )
    page = page_of(admin_client, reverse("admin:audible_sync_audiblelistening_changelist"))
    assert ">2 h 05 min<" in page
    assert str(row) == "2026-12-03: 2 h 05 min listened"
