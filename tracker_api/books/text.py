"""Text normalisation of the catalogue's search column and the importers' dedupe keys.

The folding rule is the matcher's (``tracker_api.matching.normalize.fold``), so the catalogue,
its search and the matcher agree on what "the same text" is: lower case, accents and
punctuation gone, apostrophes dropped ("Hitchhiker's" -> "hitchhikers"), "&" -> "and", letters
of every script kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker_api.matching.normalize import fold

__all__ = ["fold", "search_text"]


def search_text(title: str, authors: Iterable[str]) -> str:
    """The normalised ``title + authors`` string the trigram index and ``?search=`` work on."""
    return " ".join(part for part in [fold(title), *(fold(a) for a in authors)] if part)
