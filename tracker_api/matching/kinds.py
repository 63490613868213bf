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
    r"(?:collected|selected)\s+(?:\w+\s+)?(?:stories|tales|poems|essays|writings|works|plays)|"
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
# Another telling of the work, by kind: a dramatisation is not a retelling is not a comic, so
# two adaptations of different kinds are different works too.
_DRAMA = re.compile(
    r"\b(?:dramati[sz]ed|dramati[sz]ations?|radio\s+(?:drama|dramas|play|plays|productions?|"
    r"adaptations?|series|theat(?:re|er)|collection|\d)|bbc\s+radio|theat(?:re|er)\s+works|audio\s+(?:drama|play|movie|theat(?:re|er))|"
    r"original\s+drama|(?:stage|theat(?:re|er))\s+(?:production|adaptation|play)|"
    r"full[- ]cast\s+(?:drama|dramati[sz]ation|radio|adaptation|performance))\b",
    re.IGNORECASE,
)
_FULL_CAST = re.compile(r"\bfull[- ]cast\b|\bmulti[- ]cast\b", re.IGNORECASE)
_UNABRIDGED = re.compile(r"\bunabridged\b", re.IGNORECASE)
# Retellings: said outright ("retold", "adapted by"), or by the label of a line of books for
# learners or children ("... Readers, Level 2", "Step into Reading", "Illustrated Classics").
_RETELLING = re.compile(
    r"\b(?:retold|retelling|retellings|adapted|adaptation|adaptations|abridged\s+for\s+\w+|"
    r"for\s+(?:kids|children|young\s+readers|beginners|boys\s+and\s+girls|little\s+ones)|"
    r"(?:young|junior|early|beginning|beginner|first|easy|graded|leveled|levelled)\s+"
    r"(?:readers?|reading|classics?)|"
    r"(?:readers?|reading)\s*[,:-]?\s*(?:level|stage|grade)\s*\d+|"
    r"(?:level|stage)\s+\d+\s+readers?|step\s+into\s+reading|i\s+can\s+read|bookworms|"
    r"illustrated\s+classics?(?:\s+editions?)?|classic\s+starts|junior\s+(?:classics?|edition)|"
    r"children'?s\s+(?:classics?|editions?|versions?|thrift)|kids'?\s+(?:classics?|editions?)|"
    r"young\s+readers?'?\s*(?:editions?|adaptations?|versions?)|picture\s+book|pop-up|"
    r"baby\s*lit|babylit)\b",
    re.IGNORECASE,
)
_GRAPHIC = re.compile(r"\b(?:graphic\s+novels?|manga|comic\s+book|comics\s+edition)\b", re.I)
_SCREEN = re.compile(r"\b(?:movie\s+script|screenplay|shooting\s+script|film\s+script)\b", re.I)
# The label of a line of books (an imprint or a publisher's series) in brackets, after a colon
# or dash, or as the item's series: "(Some House Classics)", ": The Other Imprint Library".
# Often the plain text, sometimes an abridged or simplified one: a person should look.
_IMPRINT = re.compile(
    r"(?:^|\s)(?:classics|classic|library|editions|collection|presents|productions|originals|"
    r"theat(?:re|er)|readers?|reading)$",
    re.IGNORECASE,
)
_LABEL_SEGMENT = re.compile(
    r"[\(\[]([^\)\]]{1,80})[\)\]]|(?:^|:|\s[-\u2013\u2014]\s)\s*([^:\(\)\[\]]{1,80})$"
)


# Any of the five tellings: one search that most titles fail, instead of five. A match of
# any one of them is a match of this alternation, so a title this misses has none of them.
_ANY_TELLING = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (_DRAMA, _GRAPHIC, _SCREEN, _RETELLING, _FULL_CAST)),
    re.IGNORECASE,
)


def adaptation_kind(text: str, *, unabridged: bool = False) -> str | None:
    """'drama', 'retelling', 'graphic', 'screen' or None for the raw title text.

    "Full cast" alone is a dramatisation, but a full-cast reading that says it is unabridged
    (in the title or the item's format) is an edition of the book itself, as Goodreads has it.
    """
    if not _ANY_TELLING.search(text):
        return None
    if _DRAMA.search(text):
        return "drama"
    if _GRAPHIC.search(text):
        return "graphic"
    if _SCREEN.search(text):
        return "screen"
    if _RETELLING.search(text):
        return "retelling"
    if _FULL_CAST.search(text) and not (unabridged or _UNABRIDGED.search(text)):
        return "drama"
    return None


def imprint_labels(text: str, series_names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Labels of a line of books found in bracketed text, a last segment or series names,
    lower-cased ('some house classics')."""
    found = []
    for match in _LABEL_SEGMENT.finditer(text):
        segment = (match.group(1) or match.group(2) or "").strip()
        if segment and _IMPRINT.search(segment) and len(segment.split()) <= 6:
            found.append(segment.lower())
    for name in series_names:
        if name and _IMPRINT.search(name.strip()) and len(name.split()) <= 6:
            found.append(name.strip().lower())
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class WorkKinds:
    """What kind of work a title describes; all False for a plain single volume."""

    omnibus: str | None = None  # "omnibus" or "part"
    derivative: bool = False
    adaptation: str | None = None  # "drama", "retelling", "graphic" or "screen"
    podcast: bool = False
    imprints: tuple[str, ...] = ()  # labels of a line of books ("some house classics")


PLAIN = WorkKinds()


def detect_kinds(
    title: str | None,
    subtitle: str | None = None,
    *,
    series_positions: tuple[str | None, ...] = (),
    series_names: tuple[str, ...] = (),
    is_podcast: bool = False,
    unabridged: bool = False,
) -> WorkKinds:
    """Look at raw title + subtitle text (and series positions like '1-3', series names) for
    kind markers. ``unabridged``: the item's format says so (a full cast then is an edition)."""
    whole = " : ".join(part for part in (title, subtitle) if part)
    two_titles = bool(_TWO_TITLES.search(whole))
    # "Book II of the Red Rising Trilogy" names a series, not a box set: leave markers out.
    text = " : ".join(
        segment
        for segment in SEGMENT_SPLIT.split(whole)
        if segment and (parse_series_marker(segment) is None or _RANGE_MARKER.search(segment))
    )
    omnibus: str | None = None
    if two_titles or _OMNIBUS.search(text) or any(p and "-" in p for p in series_positions):
        omnibus = "omnibus"
    elif _PART.search(text):
        omnibus = "part"
    # Series names count for the kind of telling ("Some Readers, Level 3" as the series).
    labelled = " : ".join((whole, *series_names))
    kinds = WorkKinds(
        omnibus=omnibus,
        derivative=bool(_DERIVATIVE.search(whole)),
        adaptation=adaptation_kind(labelled, unabridged=unabridged),
        podcast=is_podcast,
        imprints=imprint_labels(whole, series_names),
    )
    # Most titles are a plain single volume: they share one object (fewer for the garbage
    # collector to walk in a 10,000-book index).
    return PLAIN if kinds == PLAIN else kinds
