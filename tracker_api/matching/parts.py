"""Signals that one title names a *part*, a *sibling* or a *companion* of the other's work.

Three general shapes, each found from the structure of the two titles (no list of works):

* **remainder**: one side has text after a colon or dash that the other lacks and nothing
  on the other side accounts for ("Brand: A Volume's Own Title" against "Brand"). A
  description ("Brand: A Story of ...", five words or more, a genre word) is an ordinary
  subtitle; a short title-like remainder, or any remainder after a brand (a name the catalogue
  uses as a series or as the main title of several books), is another volume's title.
* **companion**: the book's whole title is a strict part of the item's main title with words
  of its own besides ("The Widget's Child" / "Widget", "Return of the Widget") — a sequel or
  companion naming the first book.
* **contents**: one title lists several works ("A, B and C", "A and Other Stories") and the
  other is one of them: a story against its collection.

Each answer errs towards a conflict: these cap the recommendation, they never link.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from tracker_api.matching.normalize import is_edition_note
from tracker_api.matching.normalize import parse_series_marker
from tracker_api.matching.normalize import significant_words
from tracker_api.matching.normalize import title_key

# A remainder this long is a description, not a volume's name.
DESCRIPTIVE_WORDS = 5
# Words that make a remainder a description of the book rather than another book's title.
_DESCRIPTIVE = frozenset(
    {"guide", "guides", "story", "stories", "tale", "tales", "history", "histories", "memoir",
     "memoirs", "life", "lives", "account", "journey", "search", "secret", "secrets", "lessons",
     "introduction",
     "translation", "novel", "novels", "novella", "science", "art", "handbook", "manual",
     "principles", "steps", "strategies", "program", "programme", "method", "rules", "truth",
     "how", "why", "what", "when", "where", "who", "biography", "autobiography", "epic",
     "classic", "essential", "complete", "official", "true", "polemic", "study", "inquiry",
     "meditations", "reflections", "thoughts", "letters", "tips", "ways", "practical"}
)  # fmt: skip
_INDEFINITE = re.compile(r"^(?:a|an)\s", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*[,;]\s*|\s*/\s*(?=\D)")
_LAST_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_AND_OTHER = re.compile(r"\band other\b")
_ALTERNATIVE = re.compile(r"or\b", re.IGNORECASE)
_LEADING_AND = re.compile(r"^\s*(?:and|&)\s+", re.IGNORECASE)
_BRACKETED = re.compile(r"[\(\[][^\)\]]*[\)\]]")
# Every split point of ``_LIST_SPLIT`` (and of the ";" chunks) has one of these.
_LIST_MARK = re.compile(r"[,;/]")


def is_description(lead: str) -> bool:
    """True for a subtitle whose first segment describes ('A Novel of ...', 'The Story of
    ...', five words or more, a genre word); False for one that reads as a title of its own
    ('Brand: Two Words: A Longer Description' is judged on 'Two Words')."""
    if not lead.strip():
        return True
    if _INDEFINITE.match(lead.strip()):
        return True
    words = title_key(lead).split()
    if len(words) >= DESCRIPTIVE_WORDS:
        return True
    return any(word in _DESCRIPTIVE for word in words)


def accounted_for(
    remainder: str,
    other_words: AbstractSet[str],
    extra: tuple[str, ...],
    surnames: AbstractSet[str],
) -> bool:
    """The remainder's meaningful words all appear on the other side (its title, series
    names), it contains one of ``extra`` (a series name), or it names the author (a label
    about the author or the production, not another volume)."""
    words = [w for w in significant_words(remainder) if not w.isdigit()]
    if not words or all(w in other_words for w in words):
        return True
    if surnames & set(words):
        return True
    padded = f" {remainder} "
    return any(name and f" {name} " in padded for name in extra)


def extends(longer: str, shorter: str, ignore: frozenset[str] = frozenset()) -> bool:
    """``shorter``'s words appear as one unbroken run inside ``longer``, which has at least
    one meaningful word of its own, not in ``ignore`` (series and author names): 'return of
    the widget' extends 'widget'."""
    if not shorter or not longer or shorter == longer:
        return False
    long_words, short_words = longer.split(), shorter.split()
    n = len(short_words)
    for start in range(len(long_words) - n + 1):
        if long_words[start : start + n] == short_words:
            rest = long_words[:start] + long_words[start + n :]
            meaningful = [
                w for w in significant_words(" ".join(rest)) if not w.isdigit() and w not in ignore
            ]
            return bool(meaningful)
    return False


def list_elements(raw: str) -> tuple[str, ...]:
    """The works a raw title lists, as title keys: 'A, B and C' -> (a, b and c, b, c);
    'A and Other Stories' -> (a,); 'A / B' -> (a, b); () when it lists nothing.

    Series markers and edition notes are not works ("Name: Saga, Book 5" lists nothing), one
    "and" inside a title is part of its name, and two comma-separated pieces ("A, B") are
    more often one title with a comma than a list: a list needs three works or a slash.
    """
    text = _BRACKETED.sub(" ", raw or "").strip()
    other = _AND_OTHER.search(text.lower())
    if other:
        head = title_key(text[: other.start()].split(":")[-1])
        return (head,) if head else ()
    if not _LIST_MARK.search(text):
        return ()  # a list is split at a comma, semicolon or slash: one piece lists nothing
    segments = [s for s in text.split(":") if s.strip() and not _is_note(s)]
    body = ":".join(segments[1:] if len(segments) > 1 else segments)
    pieces = [
        p
        for chunk in body.split(";")
        if not _is_note(chunk)
        for p in _LIST_SPLIT.split(chunk)
        if p.strip() and not _is_note(p)
    ]
    if len(pieces) < 2 or all(len(p.split()) < 2 for p in pieces):
        return ()  # "Eat, Pray, Love" is one title, not three
    if any(_ALTERNATIVE.match(p) for p in pieces[1:]):
        return ()  # "A Title, or The Other Name" is one work with two names
    last = [p for p in _LAST_AND.split(_LEADING_AND.sub("", pieces[-1])) if p.strip()]
    works = len(pieces) - 1 + len(last)
    if "/" not in body and works < 3:
        return ()
    elements = [*pieces[:-1], _LEADING_AND.sub("", pieces[-1])]
    if len(last) > 1:
        elements += last
    keys = (title_key(e) for e in elements)
    return tuple(dict.fromkeys(k for k in keys if k))


def _is_note(piece: str) -> bool:
    """A series marker ("Saga, Book 5", "#2") or an edition note: not a listed work."""
    return parse_series_marker(piece) is not None or is_edition_note(piece)


def is_listed(title: str, elements: tuple[str, ...], whole: str) -> bool:
    """``title`` is one of the listed works (and not the whole title)."""
    return bool(title) and title != whole and title in elements
