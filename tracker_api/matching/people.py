"""How alike two author names are, knowing initials, truncations and name order."""

from __future__ import annotations

from rapidfuzz.distance import Indel

from tracker_api.matching.normalize import PersonName


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """'j r r' ~ 'john ronald reuel', 'dy' ~ 'wendy' (a scraper lost letters), 'herman' ~
    'hermann': the first given names must agree; further ones may be missing on one side."""
    first_a, first_b = a[0], b[0]
    if first_a == first_b:
        return True
    short, long_ = sorted((first_a, first_b), key=len)
    if len(short) == 1:
        return long_.startswith(short)
    if long_.endswith(short) or long_.startswith(short):
        return True
    return Indel.normalized_similarity(first_a, first_b) >= 0.8


def name_similarity(a: PersonName, b: PersonName) -> float:
    """1.0 for the same person written differently, lower the less alike the names are."""
    if not a.tokens or not b.tokens:
        return 0.0
    if a.squashed == b.squashed:
        return 1.0
    if sorted(a.tokens) == sorted(b.tokens):
        return 0.95  # "Cixin Liu" / "Liu Cixin"
    if a.surname == b.surname and len(a.surname) > 1:
        if not a.given or not b.given:
            return 0.85
        if _given_compatible(a.given, b.given):
            return 0.95
        return 0.5  # same family name, another person (Jacob / Wilhelm Grimm)
    surname = Indel.normalized_similarity(a.surname, b.surname)
    whole = Indel.normalized_similarity(a.squashed, b.squashed)
    return 0.5 * surname + 0.5 * whole


def authors_similarity(
    item: tuple[PersonName, ...], book: tuple[PersonName, ...]
) -> tuple[float, PersonName | None, PersonName | None]:
    """Best pair over both author lists (catalogues list illustrators and translators too)."""
    best: tuple[float, PersonName | None, PersonName | None] = (0.0, None, None)
    for a in item:
        for b in book:
            score = name_similarity(a, b)
            if score > best[0]:
                best = (score, a, b)
    return best
