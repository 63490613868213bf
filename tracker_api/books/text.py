"""Text normalisation shared by the catalogue's search column and the importers' dedupe keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces.

    ``"Les Misérables: Tome 1"`` -> ``"les miserables tome 1"``. Apostrophes vanish rather than
    split words (``"Hitchhiker's"`` -> ``"hitchhikers"``) so that both spellings meet.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("'", "").replace("\u2019", ""))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", ascii_only).strip()


def search_text(title: str, authors: Iterable[str]) -> str:
    """The normalised ``title + authors`` string the trigram index and ``?search=`` work on."""
    return " ".join(part for part in [fold(title), *(fold(a) for a in authors)] if part)
