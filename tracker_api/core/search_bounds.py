"""How much of a typed search the tracker reads: the same bounds for the API and the admin.

A query's every word becomes SQL conditions (one per word on ``GET /api/books?search=``; one
per word and search field in the admin), so an unbounded query is unbounded work: 1,001
words were a 500 on SQLite ("Expression tree is too large"). Only the first
``SEARCH_MAX_CHARS`` characters are read, each word counts once, and only the first
``SEARCH_MAX_WORDS`` distinct words are searched for; the rest is ignored, not an error.
"""

from __future__ import annotations

from django.utils.text import smart_split

SEARCH_MAX_CHARS = 500
SEARCH_MAX_WORDS = 12


def distinct_words(words: list[str]) -> list[str]:
    """``words`` without repeats (first spelling kept, case-insensitive), at most the cap."""
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(word.casefold(), word)
        if len(seen) == SEARCH_MAX_WORDS:
            break
    return list(seen.values())


def bounded_search_term(term: str) -> str:
    """An admin search term within the bounds; words and quoted phrases as Django splits them."""
    return " ".join(distinct_words(list(smart_split((term or "")[:SEARCH_MAX_CHARS]))))
