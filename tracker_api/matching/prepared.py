"""Normalised forms of both sides, computed once: books when the index is built, items once.

Comparison then only reads these fields, which keeps scoring a candidate cheap. What the
part/whole, imprint and title rules derive from one side alone (its title forms, word sets,
name words, whether its subtitle reads as a description) is a cached property here: for a
catalogue book it is computed on its first comparison and then read by every later pair of
the run (the index keeps the Prepared), instead of once per item x book pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker_api.matching.identifiers import asin_key
from tracker_api.matching.identifiers import isbn13
from tracker_api.matching.kinds import WorkKinds
from tracker_api.matching.kinds import detect_kinds
from tracker_api.matching.lazy import cached
from tracker_api.matching.normalize import NOT_AUTHOR_ROLES
from tracker_api.matching.normalize import PersonName
from tracker_api.matching.normalize import SeriesMarker
from tracker_api.matching.normalize import TitleParts
from tracker_api.matching.normalize import fold
from tracker_api.matching.normalize import has_other_role
from tracker_api.matching.normalize import parse_series_marker
from tracker_api.matching.normalize import parse_title
from tracker_api.matching.normalize import person_name
from tracker_api.matching.normalize import position_text
from tracker_api.matching.normalize import series_key
from tracker_api.matching.normalize import title_key
from tracker_api.matching.normalize import title_numbers
from tracker_api.matching.parts import is_description
from tracker_api.matching.parts import list_elements
from tracker_api.matching.types import CatalogBook
from tracker_api.matching.types import SourceItem

# What it costs to match on a reduced form of the title rather than the whole of it.
ALTERNATE_COST = 0.04
# One of the works a collection's title lists ("A, B and C", "A and Other Stories").
LISTED_COST = 0.1

_LANGUAGES = {
    "en": ("english", "eng", "en", "en-us", "en-gb", "en_us", "en_gb", "en-ca", "en-au"),
    "de": ("german", "deutsch", "deu", "ger", "de", "de-de"),
    "fr": ("french", "francais", "fra", "fre", "fr", "fr-fr", "fr-ca"),
    "es": ("spanish", "espanol", "spa", "es", "es-es", "es-mx"),
    "it": ("italian", "italiano", "ita", "it"),
    "ja": ("japanese", "jpn", "ja"),
    "pt": ("portuguese", "por", "pt", "pt-br"),
    "nl": ("dutch", "nld", "dut", "nl"),
    "hi": ("hindi", "hin", "hi"),
    "zh": ("chinese", "mandarin", "zho", "chi", "zh"),
    "ru": ("russian", "rus", "ru"),
    "da": ("danish", "dan", "da"),
    "sv": ("swedish", "swe", "sv"),
}
_LANGUAGE_CODES = {alias: code for code, aliases in _LANGUAGES.items() for alias in aliases}


def language_code(value: str | None) -> str | None:
    """'English', 'eng', 'en-US' -> 'en'; unknown languages keep their folded name."""
    if not value:
        return None
    key = fold(value).replace(" ", "-")
    return _LANGUAGE_CODES.get(key) or _LANGUAGE_CODES.get(key.split("-")[0]) or key or None


@dataclass(frozen=True)
class Prepared:
    """Everything the comparison reads about one side (book or item)."""

    title: TitleParts
    series: tuple[SeriesMarker, ...]
    series_names_raw: tuple[str, ...]
    names: tuple[PersonName, ...]
    kinds: WorkKinds
    numbers: frozenset[str]
    subtitle_numbers: frozenset[str]
    isbns: frozenset[str]
    asin: str | None
    year: int | None
    language: str | None
    listed: tuple[str, ...] = ()  # the works the title lists, if it lists any

    @cached
    def series_names(self) -> tuple[str, ...]:
        """Every series name this side carries, as written and as parsed."""
        return tuple(
            dict.fromkeys(self.series_names_raw + tuple(m.name for m in self.series if m.name))
        )

    @cached
    def series_keys(self) -> frozenset[str]:
        return frozenset(series_key(n) for n in self.series_names)

    # --- derived once per side for the comparison rules (see the module docstring) ---------

    @cached
    def main_series_key(self) -> str:
        """The main title as a series name (the brand check)."""
        return series_key(self.title.main)

    @cached
    def title_forms(self) -> dict[str, tuple[float, bool]]:
        """This side as the *book* of a title pairing: form -> (cost, whether the subtitle is
        in it); main and full title first, then alternates and listed works. Read-only."""
        has_sub = bool(self.title.subtitle)
        forms = {self.title.main: (0.0, False), self.title.full: (0.0, has_sub)}
        for alt in self.title.alternates:
            forms.setdefault(alt, (ALTERNATE_COST, True))
        for element in self.listed:
            forms.setdefault(element, (LISTED_COST, True))
        return forms

    @cached
    def title_variants(self) -> frozenset[str]:
        """Main, full and alternate titles (the contents rule looks each up in a list)."""
        return frozenset({self.title.main, self.title.full, *self.title.alternates})

    @cached
    def main_and_full(self) -> frozenset[str]:
        return frozenset({self.title.full, self.title.main})

    @cached
    def full_words(self) -> frozenset[str]:
        """The words of the full title."""
        return frozenset(self.title.full.split())

    @cached
    def name_words(self) -> frozenset[str]:
        """Every word of this side's series names and authors' names (words a remainder or a
        companion title may contain without naming another work)."""
        return frozenset(word for name in self.series_names for word in name.split()) | frozenset(
            token for person in self.names for token in person.tokens
        )

    @cached
    def surnames(self) -> frozenset[str]:
        return frozenset(person.surname for person in self.names)

    @cached
    def lead_is_description(self) -> bool:
        """Whether the first segment after the main title describes (``parts``)."""
        return is_description(self.title.lead)

    @cached
    def imprint_keys(self) -> tuple[tuple[str, str], ...]:
        """Each imprint label with its key as a series name."""
        return tuple((label, series_key(fold(label))) for label in self.kinds.imprints)

    @cached
    def label_keys(self) -> frozenset[str]:
        """Imprint and series keys: labels that, on this side, explain the other's label."""
        return frozenset(key for _, key in self.imprint_keys) | self.series_keys


def _names(
    authors: tuple[str, ...], contributors: tuple[tuple[str, str], ...] = ()
) -> tuple[PersonName, ...]:
    """The names compared as authors. Names marked illustrator, translator, narrator, adapter
    or photographer (in the author list, or as a contributor's role) are not authors: they are
    left out while anyone else is credited. Contributors whose role is not given (Goodreads'
    "Additional Authors": co-authors as often as illustrators) or is editor, compiler or
    introduction count like authors, after them (anthologies are filed under their editor)."""
    credited = (*authors, *(name for name, role in contributors if role not in NOT_AUTHOR_ROLES))
    authors_only = tuple(raw for raw in credited if not has_other_role(raw))
    everyone = (*authors, *(name for name, _ in contributors))
    names = []
    for raw in authors_only or everyone:
        name = person_name(raw)
        if name.tokens and name not in names:
            names.append(name)
    return tuple(names)


def _numbers(parts: TitleParts, series: tuple[SeriesMarker, ...]) -> frozenset[str]:
    numbers = title_numbers(parts.main)
    if not numbers:
        return numbers
    positions = {m.position for m in series if m.position}
    return frozenset(n for n in numbers if n not in positions)


def prepare_book(book: CatalogBook) -> Prepared:
    """A catalogue book's normalised form; title series markers join the series field."""
    parts = parse_title(book.title, book.subtitle, catalogue=True)
    markers = list(parts.series)
    raw_series: list[str] = []
    if book.series:
        marker = parse_series_marker(f"{book.series} #{book.series_position}")
        if marker is None or not book.series_position:
            marker = SeriesMarker(
                series_key(title_key(book.series)), position_text(book.series_position or "")
            )
        markers.insert(0, marker)
        raw_series.append(title_key(book.series))
    series = tuple(dict.fromkeys(markers))
    isbns = {i for i in (isbn13(book.isbn13), isbn13(book.isbn10)) if i}
    return Prepared(
        title=parts,
        series=series,
        series_names_raw=tuple(raw_series),
        names=_names(book.authors, book.contributors),
        kinds=detect_kinds(
            book.title,
            book.subtitle,
            series_positions=tuple(m.position for m in series),
            series_names=(book.series,) if book.series else (),
        ),
        numbers=_numbers(parts, series),
        subtitle_numbers=title_numbers(parts.subtitle),
        isbns=frozenset(isbns),
        asin=asin_key(book.asin),
        year=book.year,
        language=language_code(book.language),
        listed=list_elements(" : ".join(p for p in (book.title, book.subtitle) if p)),
    )


def prepare_item(item: SourceItem) -> Prepared:
    """An Audible item's normalised form; its series list joins the title's markers."""
    parts = parse_title(item.title, item.subtitle)
    markers = list(parts.series)
    raw_series: list[str] = []
    for name, sequence in item.series:
        markers.insert(0, SeriesMarker(series_key(title_key(name)), position_text(sequence or "")))
        raw_series.append(title_key(name))
    # A marker parsed from the title and the same series from the series list count once.
    series = tuple(dict.fromkeys(_merge_markers(markers)))
    isbn = isbn13(item.isbn)
    return Prepared(
        title=parts,
        series=series,
        series_names_raw=tuple(raw_series),
        names=_names(item.authors),
        kinds=detect_kinds(
            item.title,
            item.subtitle,
            series_positions=tuple(m.position for m in series),
            series_names=tuple(name for name, _ in item.series),
            is_podcast=item.is_podcast,
            unabridged=(item.format_type or "").lower() == "unabridged",
        ),
        numbers=_numbers(parts, series),
        subtitle_numbers=title_numbers(parts.subtitle),
        isbns=frozenset({isbn} if isbn else ()),
        asin=asin_key(item.asin),
        year=item.year,
        language=language_code(item.language),
        listed=list_elements(" : ".join(p for p in (item.title, item.subtitle) if p)),
    )


def _merge_markers(markers: list[SeriesMarker]) -> list[SeriesMarker]:
    """Drop an unnamed marker when a named one has the same position."""
    named_positions = {m.position for m in markers if m.name and m.position}
    return [m for m in markers if m.name or m.position not in named_positions]
