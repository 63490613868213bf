"""Markers that prove an item is a different kind of work than a plain book.

A summary, a dramatisation, a box set or a podcast episode can carry exactly the title and
author of a book in the catalogue and still not be that book (the labelling rules of
``bench-data/README.md`` spell this out). Each detector looks at the raw title text, before
normalisation drops brackets and edition notes, and answers with a kind or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker_api.matching.normalize import SEGMENT_SPLIT
from tracker_api.matching.normalize import parse_series_marker

# More (or less) than one volume: box sets, omnibuses, "Books 1-3", "2-in-1", "Part 1 of 2".
_OMNIBUS = re.compile(
    r"\b(?:box(?:ed)?[- ]?set|omnibus|compendium|anthology|"
    r"(?:books|volumes|vols?\.?|novels|series)\s*#?\d+\s*(?:-|\u2013|to|&|and|through)\s*\d+|"
    r"\d+\s*-?\s*in\s*-?\s*(?:\d+|one)\b|"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:books|novels|volumes)\s+in\s+"
    r"(?:one|1)|complete\s+(?:series|works|novels|collection|saga|trilogy)|"
    r"(?:definitive|complete|essential|ultimate)\s+(?:\w+\s+){0,3}collection|"
    r"collection,?\s+(?:vol(?:ume)?\.?\s*)?\d+|and\s+\d+\s+other|"
    r"trilogy(?!,?\s*(?:book|bk|#|vol|no\.|number|\d))|(?:a|the)\s+(?:\w+\s+)?collection)\b",
    re.IGNORECASE,
)
# Two titles in one: "A Tale of Two Cities / Great Expectations", "The Iliad/The Odyssey".
_TWO_TITLES = re.compile(r"\S\s+/\s+\S|/\s*(?:the|a|an)\s", re.IGNORECASE)
_RANGE_MARKER = re.compile(r"\d+\s*(?:-|\u2013|to|through)\s*\d+")
# One part of a split volume: "(1 of 3)", "Part 1 of 2", Goodreads "(Harry Potter, #5, Part 1)".
_PART = re.compile(
    r"\b(?:part\s+)?\d+\s+of\s+\d+\b|[\(\[][^\)\]]*\bpart\s+(?:\d+|one|two|three)\b",
    re.IGNORECASE,
)
# About the book rather than the book: summaries, guides, talks, excerpts.
_DERIVATIVE = re.compile(
    r"\b(?:summary|summaries|study\s+guide|sparknotes|cliffs?\s?notes|key\s+takeaways|"
    r"(?:and|&)\s+analysis|analysis\s+of|workbook|conversation\s+starters|book\s+notes|"
    r"free\s+excerpt|excerpt|behind\s+the\s+scenes|talks|lectures?|"
    r"companion\s+(?:to|guide)|reader'?s\s+guide|trivia)\b|\((?:live|sample)\)|\[(?:live|sample)\]",
    re.IGNORECASE,
)
# Another telling of the work: dramatisations, full cast, radio, graded/young readers.
_ADAPTATION = re.compile(
    r"\b(?:dramati[sz]ed|dramati[sz]ations?|full[- ]cast|radio\s+(?:drama|play|adaptations?)|"
    r"bbc\s+radio|audio\s+(?:drama|play|movie)|original\s+drama|graded\s+reader|"
    r"young\s+readers?'?\s*(?:edition|adaptation|version)|retold|adapted\s+(?:by|for)|"
    r"adaptation|graphic\s+novel|movie\s+script|screenplay|pop-up)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WorkKinds:
    """What kind of work a title describes; all False for a plain single volume."""

    omnibus: str | None = None  # "omnibus" or "part"
    derivative: bool = False
    adaptation: bool = False
    podcast: bool = False


def detect_kinds(
    title: str | None,
    subtitle: str | None = None,
    *,
    series_positions: tuple[str | None, ...] = (),
    is_podcast: bool = False,
) -> WorkKinds:
    """Look at raw title + subtitle text (and series positions like '1-3') for kind markers."""
    text = " : ".join(part for part in (title, subtitle) if part)
    two_titles = bool(_TWO_TITLES.search(text))
    # "Book II of the Red Rising Trilogy" names a series, not a box set: leave markers out.
    text = " : ".join(
        segment
        for segment in SEGMENT_SPLIT.split(text)
        if segment and (parse_series_marker(segment) is None or _RANGE_MARKER.search(segment))
    )
    omnibus: str | None = None
    if two_titles or _OMNIBUS.search(text) or any(p and "-" in p for p in series_positions):
        omnibus = "omnibus"
    elif _PART.search(text):
        omnibus = "part"
    return WorkKinds(
        omnibus=omnibus,
        derivative=bool(_DERIVATIVE.search(text)),
        adaptation=bool(_ADAPTATION.search(text)),
        podcast=is_podcast,
    )
