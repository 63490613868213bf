"""``search_books``: the function the API and the conflict screens share; index use on PG."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db import transaction

from tests.support.factories import BookFactory
from tracker_api.books.models import Book
from tracker_api.books.search import filter_by_search
from tracker_api.books.search import search_books

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(alice, bob):
    BookFactory(
        user=alice, title="Harry Potter and the Prisoner of Azkaban", authors=["J.K. Rowling"]
    )
    BookFactory(user=alice, title="Harry Potter Boxed Set, Books 1-7", authors=["J.K. Rowling"])
    BookFactory(user=alice, title="The Hobbit", authors=["J.R.R. Tolkien"])
    BookFactory(
        user=bob, title="Harry Potter and the Prisoner of Azkaban", authors=["J.K. Rowling"]
    )


def test_it_finds_by_words_of_title_and_author_for_the_owner_only(alice, shelf):
    found = search_books(alice, "rowling azkaban", limit=10)
    assert [b.title for b in found] == ["Harry Potter and the Prisoner of Azkaban"]
    assert all(b.user_id == alice.pk for b in found)
    assert len(search_books(alice, "harry potter", limit=1)) == 1
    assert search_books(alice, "   ") == []
    assert search_books(alice, "nothing like it") == []


@pytest.mark.postgres
def test_postgres_tolerates_typos_and_ranks_the_closest_first(alice, shelf):
    found = search_books(alice, "hary poter azkaban")
    assert found[0].title == "Harry Potter and the Prisoner of Azkaban"
    assert search_books(alice, "hobit tolkien")[0].title == "The Hobbit"


def explain(queryset, seqscan: bool = True) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.postgres
def test_the_queries_of_the_api_and_sync_can_use_their_indexes(alice, bob):
    statuses = ["want_to_read"] * 17 + ["read", "reading", "did_not_finish"]
    Book.objects.bulk_create(
        Book(
            user=owner,
            title=f"Title {n}",
            search_text=f"title {n} author {n % 97}",
            status=statuses[n % len(statuses)],
            isbn13=f"978{n:010d}",
            asin=f"B{n:09d}",
            goodreads_id=str(n),
        )
        for owner in (alice, bob)
        for n in range(2500)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE books")
    books = Book.objects.filter(user=alice)
    assert "books_user_status" in explain(books.filter(status="reading"))
    assert "books_user_isbn13" in explain(books.filter(isbn13="9780000000042"))
    assert "books_user_asin" in explain(books.filter(asin="B000000042"))
    assert "books_unique_goodreads_id_per_user" in explain(books.filter(goodreads_id="42"))
    # Below some ten thousand rows PostgreSQL rightly prefers a scan for the fuzzy text search;
    # with scans off it must reach for the trigram index, i.e. the predicate is indexable.
    searched = filter_by_search(Book.objects.all(), "titel 42")
    assert "books_search_text_trgm" in explain(searched, seqscan=False)
