"""An in-memory index of the user's catalogue, built once per sync.

Candidate retrieval is blocking: an item only meets books that share an identifier, an
author surname, the exact title key, or one of its rarest title words. Matching cost thus
grows with the number of items, not items x catalogue. A cheap title score then keeps the
most promising candidates for the full comparison.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from functools import partial
from typing import Any

from rapidfuzz.distance import Indel

from tracker_api.matching.config import MatchConfig
from tracker_api.matching.normalize import STOPWORDS
from tracker_api.matching.prepared import Prepared
from tracker_api.matching.prepared import prepare_book
from tracker_api.matching.types import CatalogBook

_STOPWORDS = STOPWORDS | frozenset({
    "book", "books", "novel", "series", "volume", "vol", "part", "edition", "unabridged"
})  # fmt: skip


def title_words(prepared: Prepared) -> set[str]:
    """Retrieval words of a title: main, subtitle and alternates, minus stop words."""
    text = " ".join((prepared.title.full, *prepared.title.alternates))
    return {w for w in text.split() if w not in _STOPWORDS and len(w) > 1}


class CatalogIndex:
    """Books by id plus blocking tables; ``add`` makes a book created mid-sync matchable."""

    def __init__(self) -> None:
        self.books: dict[Any, tuple[CatalogBook, Prepared]] = {}
        self._by_isbn: dict[str, set[Any]] = defaultdict(set)
        self._by_asin: dict[str, set[Any]] = defaultdict(set)
        self._by_surname: dict[str, set[Any]] = defaultdict(set)
        self._by_squashed: dict[str, set[Any]] = defaultdict(set)
        self._by_title: dict[str, set[Any]] = defaultdict(set)
        self._by_word: dict[str, set[Any]] = defaultdict(set)
        # Per book, what retrieval reads for every item it meets: the main title, the full
        # title only where it differs (a subtitle: most books have none, and the same text
        # scores the same), and the id as text (the tie-breaker), so a pool is built by
        # lookups alone.
        self._main_title: dict[Any, str] = {}
        self._other_full_title: dict[Any, str] = {}
        self._id_text: dict[Any, str] = {}
        # How many books use a name as a series (brand evidence).
        self._series_count: Counter[str] = Counter()
        # is_brand of each catalogue book, asked once per book rather than once per pair;
        # emptied whenever a book comes or goes (the series counts it reads change).
        self._book_brand: dict[Any, bool] = {}

    def __len__(self) -> int:
        return len(self.books)

    def add(self, book: CatalogBook) -> None:
        """Index one book (re-adding the same id replaces it)."""
        if book.id in self.books:
            self.remove(book.id)
        prepared = prepare_book(book)
        self._book_brand.clear()
        self.books[book.id] = (book, prepared)
        self._main_title[book.id] = prepared.title.main
        if prepared.title.full != prepared.title.main:
            self._other_full_title[book.id] = prepared.title.full
        self._id_text[book.id] = str(book.id)
        for key, table in self._keys(prepared):
            table[key].add(book.id)
        self._series_count.update(prepared.series_keys)

    def remove(self, book_id: Any) -> None:
        """Forget a book (e.g. deleted mid-sync)."""
        entry = self.books.pop(book_id, None)
        for titles in (self._main_title, self._other_full_title, self._id_text):
            titles.pop(book_id, None)
        if entry is None:
            return
        self._book_brand.clear()
        self._series_count.subtract(entry[1].series_keys)
        for key, table in self._keys(entry[1]):
            ids = table.get(key)
            if ids is not None:
                ids.discard(book_id)
                if not ids:
                    del table[key]

    def _keys(self, prepared: Prepared) -> Iterable[tuple[str, dict[str, set[Any]]]]:
        for isbn in prepared.isbns:
            yield isbn, self._by_isbn
        if prepared.asin:
            yield prepared.asin, self._by_asin
        for name in prepared.names:
            if len(name.surname) > 1:
                yield name.surname, self._by_surname
            yield name.squashed, self._by_squashed
        for text in {prepared.title.main, prepared.title.full}:
            if text:
                yield text, self._by_title
        for word in title_words(prepared):
            yield word, self._by_word

    def is_brand(self, item: Prepared) -> bool:
        """The item's main title (it has a subtitle) is a name used for a series, by the item
        itself or by any catalogue book. (Several books sharing a main title are as often
        duplicate editions as a brand, so that alone is no evidence.)"""
        if not item.title.subtitle or not item.title.main:
            return False
        key = item.main_series_key
        return key in item.series_keys or self._series_count[key] > 0

    def is_brand_book(self, book_id: Any) -> bool:
        """``is_brand`` of an indexed book, computed once until the catalogue changes."""
        found = self._book_brand.get(book_id)
        if found is None:
            found = self._book_brand[book_id] = self.is_brand(self.books[book_id][1])
        return found

    def identifier_hits(self, item: Prepared) -> set[Any]:
        """Books sharing an ISBN or the ASIN with the item."""
        hits: set[Any] = set()
        for isbn in item.isbns:
            hits |= self._by_isbn.get(isbn, set())
        if item.asin:
            hits |= self._by_asin.get(item.asin, set())
        return hits

    def retrieve(
        self, item: Prepared, config: MatchConfig
    ) -> list[tuple[CatalogBook, Prepared, float]]:
        """The books worth a full comparison with ``item``, at most max_scored_candidates,
        each with its cheap title similarity (1.0 for identifier hits).

        Identifier hits always come along. The rest are ranked by a cheap score (title
        similarity plus a bonus for a shared author) with the book id as tie-breaker, so the
        result does not depend on the order books were added in.
        """
        pool: set[Any] = set()
        author_ids: set[Any] = set()
        for name in item.names:
            author_ids |= self._by_surname.get(name.surname, set())
            author_ids |= self._by_squashed.get(name.squashed, set())
        pool |= author_ids
        for text in (item.title.main, item.title.full, *item.title.alternates):
            pool |= self._by_title.get(text, set())
        words = [w for w in title_words(item) if w in self._by_word]
        words.sort(key=lambda w: (len(self._by_word[w]), w))
        for taken, word in enumerate(words[:3]):
            postings = self._by_word[word]
            if len(postings) > config.max_token_frequency and taken:
                break
            pool |= postings
        hits = self.identifier_hits(item)
        pool -= hits
        keys = [k for k in dict.fromkeys((item.title.main, item.title.full)) if k]
        keys += [k for k in item.title.alternates if k not in keys]
        ids = sorted(pool, key=self._id_text.__getitem__)
        # Each book's best title similarity over the item's keys: one rapidfuzz call per key
        # and book, iterated by map, so no Python code runs per book.
        mains = list(map(self._main_title.__getitem__, ids))
        per_key = [list(map(partial(Indel.normalized_similarity, key), mains)) for key in keys]
        if not per_key:
            best = [0.0] * len(ids)
        else:
            best = per_key[0] if len(per_key) == 1 else list(map(max, *per_key))
        # Then the full title of a book that has a subtitle (for the others it is the main
        # title again, which scores the same).
        subtitled = self._other_full_title
        for n in [n for n, book_id in enumerate(ids) if book_id in subtitled]:
            full = subtitled[ids[n]]
            for key in keys:
                score = Indel.normalized_similarity(key, full)
                if score > best[n]:
                    best[n] = score
        # Best cheap score first (a shared author adds 0.5), then the id's text: the order of
        # ``ids``, which a stable sort keeps among equal scores.
        totals = [
            b + 0.5 if book_id in author_ids else b for book_id, b in zip(ids, best, strict=True)
        ]
        order = sorted(range(len(ids)), key=totals.__getitem__, reverse=True)
        limit = max(config.max_scored_candidates - len(hits), 0)
        chosen = [(*self.books[b], 1.0) for b in sorted(hits, key=str)]
        chosen += [(*self.books[ids[n]], best[n]) for n in order[:limit]]
        return chosen


def build_index(books: Iterable[CatalogBook]) -> CatalogIndex:
    """Index a whole catalogue; call once per sync."""
    index = CatalogIndex()
    for book in books:
        index.add(book)
    return index
