"""Catalogue search shared by ``GET /api/books?search=`` and the conflict screens.

PostgreSQL: every query word must occur in the normalised ``title + authors`` text or be
word-similar to a word of it (pg_trgm ``<%``, which tolerates typos: "hary poter"); both use the
GIN trigram index, and results are ranked by the trigram word similarity of the whole query,
then by overall similarity (so "Harry Potter" puts the shortest close title first).
SQLite: every word must occur (``LIKE``), ordered by title.

The work a query may cause is bounded whatever was typed (``tracker_api.core.search_bounds``:
the first 500 characters, each word once, at most 12 words); the admin's boxes the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.search import TrigramSimilarity
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Q
from django.db.models import QuerySet

from tracker_api.books.models import Book
from tracker_api.books.text import fold
from tracker_api.core.search_bounds import SEARCH_MAX_CHARS
from tracker_api.core.search_bounds import distinct_words

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def search_words(query: str) -> list[str]:
    """The folded words a query searches for (see ``tracker_api.core.search_bounds``)."""
    return distinct_words(fold((query or "")[:SEARCH_MAX_CHARS]).split())


def filter_by_search(queryset: QuerySet[Book], query: str) -> QuerySet[Book]:
    """Narrow and rank ``queryset`` by ``query``; an empty query leaves it as it is."""
    words = search_words(query)
    if not words:
        return queryset
    folded = " ".join(words)
    if connection.vendor != "postgresql":
        every_word = Q()
        for word in words:
            every_word &= Q(search_text__contains=word)
        return queryset.filter(every_word).order_by("title", "id")
    every_word_or_like_it = Q()
    for word in words:
        every_word_or_like_it &= Q(search_text__contains=word) | Q(
            search_text__trigram_word_similar=word
        )
    return (
        queryset.filter(every_word_or_like_it)
        .annotate(
            search_rank=TrigramWordSimilarity(folded, "search_text"),
            search_closeness=TrigramSimilarity("search_text", folded),
        )
        .order_by("-search_rank", "-search_closeness", "title", "id")
    )


def search_books(user: User, query: str, limit: int = 20) -> list[Book]:
    """The ``limit`` best matches for ``query`` in ``user``'s catalogue, best first."""
    if not search_words(query):
        return []
    return list(filter_by_search(Book.objects.filter(user=user), query)[:limit])
