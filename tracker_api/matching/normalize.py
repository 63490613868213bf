"""Text normalisation that knows books: titles, series markers, edition notes and names.

Everything here is a pure function of its input so the catalogue side can be normalised once
per sync and the Audible side once per item. Folded text is lower case, without accents or
punctuation, "&" spelled "and", apostrophes dropped ("wizard's" -> "wizards").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from tracker_api.matching.lazy import cached

_APOSTROPHES = re.compile(r"['\u2019`\u00b4\u2018]")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_ARTICLE = re.compile(r"^(the|a|an) (?=\S)")

WORD_NUMBERS = {
    word: str(number)
    for number, words in enumerate(
        [
            (),
            ("one", "first", "i"),
            ("two", "second", "ii"),
            ("three", "third", "iii"),
            ("four", "fourth", "iv"),
            ("five", "fifth", "v"),
            ("six", "sixth", "vi"),
            ("seven", "seventh", "vii"),
            ("eight", "eighth", "viii"),
            ("nine", "ninth", "ix"),
            ("ten", "tenth", "x"),
            ("eleven", "eleventh", "xi"),
            ("twelve", "twelfth", "xii"),
            ("thirteen", "thirteenth"),
            ("fourteen", "fourteenth"),
            ("fifteen", "fifteenth"),
            ("sixteen", "sixteenth"),
            ("seventeen", "seventeenth"),
            ("eighteen", "eighteenth"),
            ("nineteen", "nineteenth"),
            ("twenty", "twentieth"),
        ]
    )
    for word in words
}


@lru_cache(maxsize=65536)
def fold(text: str | None) -> str:
    """Lower case, no accents, no punctuation, '&' -> 'and', single spaces."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("+", " and ")
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


_UNIT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"
)  # fmt: skip
_UNITS = {w: n for n, w in enumerate(_UNIT_WORDS)}
_TEN_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS = {w: 10 * n for n, w in enumerate(_TEN_WORDS, start=2)}


def _numberize(words: list[str]) -> list[str]:
    """Cardinal number words as digits ('eighty' -> '80', 'twenty one' -> '21')."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in _TENS:
            value = _TENS[word]
            if i + 1 < len(words) and 0 < _UNITS.get(words[i + 1], 0) < 10:
                value += _UNITS[words[i + 1]]
                i += 1
            out.append(str(value))
        elif word in _UNITS:
            out.append(str(_UNITS[word]))
        elif word == "hundred" and out and out[-1].isdigit():
            out[-1] = str(int(out[-1]) * 100)
        else:
            out.append(word)
        i += 1
    return out


@lru_cache(maxsize=65536)
def title_key(text: str | None) -> str:
    """A folded title without its leading article, numbers as digits ("The Hobbit" ->
    "hobbit", "Around the World in Eighty Days" -> "around the world in 80 days")."""
    return _LEADING_ARTICLE.sub("", " ".join(_numberize(fold(text).split())))


def position_number(text: str | None) -> str | None:
    """'3', '03', 'Three', 'third', 'III', '2.5' -> canonical text ('3', '2.5'); else None."""
    if text is None:
        return None
    value = str(text).strip().lower().lstrip("#").strip()
    if not value:
        return None
    if value in WORD_NUMBERS:
        return WORD_NUMBERS[value]
    match = _DECIMAL.fullmatch(value)
    if not match:
        return None
    whole = str(int(match.group(1)))
    fraction = (match.group(2) or "").rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


# --- titles -----------------------------------------------------------------------------------

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"
_RANGE = r"\d+\s*(?:-|\u2013|to|&|and|through)\s*\d+"
_DECIMAL = re.compile(r"(\d+)(?:\.(\d+))?")
_RANGE_GROUPS = re.compile(r"(\d+)\s*(?:-|\u2013|to|&|and|through)\s*(\d+)", re.IGNORECASE)
_HASH_ONLY = re.compile(rf"#\s*(?:{_RANGE}|{_NUM})", re.IGNORECASE)
_SEMICOLON = re.compile(r"\s*;\s*")
_SMALL_NUMBER = re.compile(r"\b\d{1,4}\b")
_DIGIT = re.compile(r"\d")  # every _SMALL_NUMBER match has one
NO_NUMBERS: frozenset[str] = frozenset()
# "Jack Reacher, Book 3", "A Crossfire Novel, Book 2", "The Wheel of Time #8", "Series, #1-3"
_MARKER_NAME_FIRST = re.compile(
    rf"^(?P<name>.+?)[,\s]\s*(?:book|bk\.?|volume|vol\.?|no\.|number|#)\s*"
    rf"(?P<pos>{_RANGE}|{_NUM})$",
    re.IGNORECASE,
)
# "Book Eight of The Wheel of Time", "Book 3", "Volume 2 in the X series"
_MARKER_POS_FIRST = re.compile(
    rf"^(?:book|bk\.?|volume|vol\.?)\s*(?P<pos>{_RANGE}|{_NUM})"
    rf"(?:\s+(?:of|in)\s+(?P<name>.+))?$",
    re.IGNORECASE,
)
# "A Jack Reacher Novel", "An Inspector Banks Mystery"
_MARKER_A_NOVEL = re.compile(
    r"^an?\s+(?P<name>.+?)\s+(?:novel|novella|mystery|thriller|story|adventure|book|romance)$",
    re.IGNORECASE,
)
# Notes about the edition or format, never part of the work's name.
_EDITION_NOTE = re.compile(
    r"\b(?:edition|ed\.|recording|unabridged|abridged|revised|updated|expanded|remastered|"
    r"anniversary|annotated|tie-?in|dramati[sz]ed|dramati[sz]ation|full[- ]cast|"
    r"hindi|english|german|french|spanish|italian|japanese|version|narrated|audiobook|"
    r"classic|classics|reissue|special|deluxe|illustrated)\b",
    re.IGNORECASE,
)
# A segment that is only a genre label: "A Novel", "A Memoir", "Stories".
_GENRE_LABEL = re.compile(
    r"^(?:an?\s+)?(?:novel|novella|memoir|thriller|mystery|romance|love story|short story|"
    r"story|play|poem|fable|fantasy|novel in stories|true story|biography|autobiography|"
    r"stories|novels|essays|tale)$",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]")
SEGMENT_SPLIT = re.compile(
    r"\s*:\s*|\s+[-\u2013\u2014]+\s+|\s*[;,]\s*or,?\s+|\s+or,\s+|\s*/\s*(?!\d)"
)


@dataclass(frozen=True)
class SeriesMarker:
    """A series name (folded, may be empty) and a position ('3', '2.5', '1-3' or None)."""

    name: str
    position: str | None


@dataclass(frozen=True)
class TitleParts:
    """A title taken apart: main title, subtitle, alternates and series markers (all folded)."""

    main: str
    subtitle: str
    alternates: tuple[str, ...]
    series: tuple[SeriesMarker, ...]
    # The first segment after the main title as written ("A Novel of ...", "Best Friends"):
    # whether it reads as a description or as a volume's own title is judged on this.
    lead: str = ""

    @cached
    def full(self) -> str:
        return f"{self.main} {self.subtitle}".strip()


def position_text(text: str) -> str | None:
    """Like position_number, but ranges stay ranges: '1 - 3' -> '1-3' (an omnibus)."""
    range_match = _RANGE_GROUPS.fullmatch(text.strip())
    if range_match:
        return f"{int(range_match.group(1))}-{int(range_match.group(2))}"
    return position_number(text)


@lru_cache(maxsize=65536)
def parse_series_marker(segment: str) -> SeriesMarker | None:
    """'Jack Reacher, Book 3' / 'Book Eight of The Wheel of Time' / '#3' -> a marker."""
    segment = segment.strip().strip(",").strip()
    if not segment:
        return None
    if _HASH_ONLY.fullmatch(segment):
        return SeriesMarker("", position_text(segment.lstrip("#")))
    for pattern in (_MARKER_NAME_FIRST, _MARKER_POS_FIRST):
        match = pattern.match(segment)
        if match:
            name = title_key(match.group("name") or "")
            return SeriesMarker(series_key(name), position_text(match.group("pos")))
    match = _MARKER_A_NOVEL.match(segment)
    if match and len(match.group("name").split()) <= 4:
        return SeriesMarker(series_key(title_key(match.group("name"))), None)
    return None


def _marker_title(segment: str) -> str:
    """The text before a trailing 'Book N' marker, kept as written (it is a title)."""
    match = _MARKER_NAME_FIRST.match(segment.strip().strip(",").strip())
    return match.group("name") if match else segment


@lru_cache(maxsize=65536)
def series_key(name: str) -> str:
    """Drop generic words so 'Crave Series' == 'Crave' and 'The Karla Trilogy' == 'Karla'."""
    words = [w for w in name.split() if w not in _SERIES_GENERIC]
    return " ".join(words) if words else name


_SERIES_GENERIC = frozenset(
    {"series", "trilogy", "saga", "sequence", "cycle", "novel", "novels", "book", "books",
     "universe", "the", "a", "an", "collection", "quartet", "chronicles"}
)  # fmt: skip


@lru_cache(maxsize=65536)
def is_edition_note(segment: str) -> bool:
    """True for '(Unabridged)', '30th Anniversary Edition', 'A Novel', '[Hindi]' and similar."""
    segment = segment.strip()
    if not segment:
        return True
    if _GENRE_LABEL.match(segment):
        return True
    words = fold(segment).split()
    return bool(_EDITION_NOTE.search(segment)) and len(words) <= 6


def _strip_trailing_notes(segment: str, markers: list[SeriesMarker]) -> str:
    """'A Random Walk, 12th Edition' -> 'A Random Walk'; 'X, Book 2' -> marker + 'X'."""
    while True:
        head, sep, tail = segment.rpartition(",")
        if not sep or not head.strip():
            return segment
        if is_edition_note(tail):
            segment = head
            continue
        marker = parse_series_marker(tail)
        if marker is not None and not marker.name:
            markers.append(marker)
            segment = head
            continue
        return segment


@lru_cache(maxsize=65536)
def parse_title(
    title: str | None, subtitle: str | None = None, *, catalogue: bool = False
) -> TitleParts:
    """Take a title (and subtitle) apart into main title, subtitle, alternates and markers.

    Bracketed text is a series name in a catalogue title (Goodreads writes "(Series, #n)" or
    just "(Series)"); on the Audible side "[...]" usually holds the original title of a
    translation, so it becomes an alternate title.
    """
    raw = (title or "").strip()
    markers: list[SeriesMarker] = []
    alternates: list[str] = []
    for match in _BRACKETS.finditer(raw):
        content = match.group(1)
        if is_edition_note(content):
            continue
        for piece in _SEMICOLON.split(content):
            marker = parse_series_marker(piece)
            if marker is not None:
                markers.append(marker)
            elif not title_key(piece):
                continue
            elif match.group(0).startswith("[") and not catalogue:
                alternates.append(title_key(piece))
            else:
                markers.append(SeriesMarker(series_key(title_key(piece)), None))
    text = _BRACKETS.sub(" ", raw)
    segments = [s for s in SEGMENT_SPLIT.split(text) if s and s.strip()]
    if subtitle:
        segments += [s for s in SEGMENT_SPLIT.split(_BRACKETS.sub(" ", subtitle)) if s.strip()]
    kept: list[str] = []
    named_markers: list[tuple[int, SeriesMarker, str]] = []
    for index, segment in enumerate(segments):
        if index > 0 and is_edition_note(segment):
            continue
        marker = parse_series_marker(segment)
        if marker is not None and (marker.position is not None or kept):
            named_markers.append((len(kept), marker, segment))
            markers.append(marker)
            continue
        segment = _strip_trailing_notes(segment, markers)
        if title_key(segment):
            kept.append(segment)
    if not kept and named_markers:
        # "Harry Potter and the Chamber of Secrets, Book 2": the marker's name is the title.
        _, marker, segment = named_markers[0]
        markers.remove(marker)
        markers.append(SeriesMarker("", marker.position))
        kept.append(_marker_title(segment))
    if not kept:
        kept.append(raw)
    main = title_key(kept[0])
    sub = " ".join(title_key(s) for s in kept[1:]).strip()
    return TitleParts(
        main=main,
        subtitle=sub,
        alternates=tuple(alternates),
        series=tuple(markers),
        lead=kept[1].strip() if len(kept) > 1 else "",
    )


STOPWORDS = frozenset({
    "a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "at", "by", "from", "is",
    "it", "its", "my", "your", "our", "his", "her", "their", "be", "as", "or", "how", "what",
    "why", "who", "when", "where", "this", "that", "these", "those", "i", "you", "we", "he",
    "she", "they", "not", "no"
})  # fmt: skip


@lru_cache(maxsize=65536)
def significant_words(text: str) -> tuple[str, ...]:
    """The words of a folded title that carry meaning (no articles or prepositions)."""
    return tuple(dict.fromkeys(w for w in text.split() if w not in STOPWORDS))


def _word_found(word: str, others: tuple[str, ...]) -> bool:
    return word in others or any(
        Indel.normalized_similarity(word, other) >= SAME_WORD_SIMILARITY for other in others
    )


# Words this alike are the same word spelled differently ("centre"/"center").
SAME_WORD_SIMILARITY = 0.8


# How alike a title is to a longer one that starts with all of its words.
PREFIX_SIMILARITY = 0.75


def _word_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 2 and long_[: len(short)] == short


def text_similarity(a: str, b: str) -> float:
    """How alike two folded titles are, 0..1: half character edits, half shared words.

    Characters alone forgive a swapped word in a long title ("Chicken Soup for the Kid's
    Soul" ~ "Chicken Soup for the Soul" at 91%); a word that one title has and the other
    lacks is the usual sign of another book, so words count as much as characters.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    char = Indel.normalized_similarity(a, b)
    if a.replace(" ", "") == b.replace(" ", ""):
        return 1.0  # "hitman" / "hit man"
    if char < 0.5:
        return char
    words_a, words_b = significant_words(a), significant_words(b)
    if not words_a or not words_b:
        return char
    if _word_prefix(words_a, words_b):
        # "Love's Executioner" / "Love's Executioner and Other Tales of Psychotherapy": a
        # subtitle written without a colon. Worth a review, never a link on its own.
        return max(char, PREFIX_SIMILARITY)
    # The side with the most words of its own decides: an extra word is as telling as a
    # missing one.
    coverage = min(
        sum(_word_found(w, words_b) for w in words_a) / len(words_a),
        sum(_word_found(w, words_a) for w in words_b) / len(words_b),
    )
    return 0.5 * char + 0.5 * coverage


def title_numbers(text: str) -> frozenset[str]:
    """Numbers that name the work ('Catch 22', '10 Must Reads') in a folded title; years
    ('1918-1956') describe rather than name, so they are left out."""
    if not _DIGIT.search(text):
        return NO_NUMBERS  # most titles: no digit, nothing to find
    numbers = (int(n) for n in _SMALL_NUMBER.findall(text))
    return frozenset(str(n) for n in numbers if not 1000 <= n <= 2100)


# --- people -------------------------------------------------------------------------------------

_NAME_PREFIX = re.compile(
    r"^\s*(?:written\s*by|narrated\s*by|read\s*by|authors?|by)\s*:\s*|^\s*by\s+", re.IGNORECASE
)
_NAME_ROLE = re.compile(
    r"\s*(?:[-\u2013(\[]\s*|\s)(?:introduction|foreword|illustrator|illustrated by|illustrations|"
    r"editor|edited by|translator|translated by|contributor|narrator|afterword|adapter|preface|"
    r"compiler|photographer)\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_NAME_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "md", "dr", "prof", "mr", "mrs", "ms", "psyd",
     "edd", "mba", "rn", "esq", "sir", "dame", "lcsw", "dphil", "mft", "lmft", "dsc", "ma",
     "msc", "bsc", "frcp", "facs", "dds", "dvm", "np", "do", "mph", "lpc"}
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=\.)(?=[A-Za-z])")


@dataclass(frozen=True)
class PersonName:
    """A folded name as tokens; ``surname`` is the last token, ``squashed`` has no spaces."""

    tokens: tuple[str, ...]

    @property
    def surname(self) -> str:
        return self.tokens[-1] if self.tokens else ""

    @property
    def given(self) -> tuple[str, ...]:
        return self.tokens[:-1]

    @cached
    def squashed(self) -> str:
        return "".join(self.tokens)


# A role as written -> its name; roles of the first group are still authors of a sort
# (anthologies are filed under their editor), the others are not.
_ROLE_WORDS = {
    "introduction": "introduction", "foreword": "foreword", "afterword": "afterword",
    "preface": "preface", "contributor": "contributor", "editor": "editor", "edited": "editor",
    "compiler": "compiler", "illustrator": "illustrator", "illustrated": "illustrator",
    "illustrations": "illustrator", "translator": "translator", "translated": "translator",
    "narrator": "narrator", "narrated": "narrator", "read": "narrator", "adapter": "adapter",
    "photographer": "photographer",
}  # fmt: skip
# Roles that make a name a contributor, not an author (compared as nobody's author).
NOT_AUTHOR_ROLES = frozenset({"illustrator", "translator", "narrator", "adapter", "photographer"})
_NARRATED_BY = re.compile(r"^\s*(?:narrated|read)\s*by\s*:?\s*", re.IGNORECASE)


def credit(raw: str | None) -> tuple[str, str]:
    """A credited name and its role as written: 'Ann Lee (Illustrator)' -> ('Ann Lee',
    'illustrator'), 'Bo Ek - translator' -> ('Bo Ek', 'translator'), 'Narrated by: Cy Dee' ->
    ('Cy Dee', 'narrator'), 'Di Fox' -> ('Di Fox', '') (no role given)."""
    text = " ".join((raw or "").split())
    narrated = _NARRATED_BY.match(text)
    if narrated:
        return text[narrated.end() :].strip(), "narrator"
    match = _NAME_ROLE.search(text)
    if match is None:
        return text, ""
    role = fold(match.group(0)).split()
    name = text[: match.start()].strip().rstrip("-,").strip()
    return (name or text), _ROLE_WORDS.get(role[0], "") if role else ""


@lru_cache(maxsize=65536)
def has_other_role(raw: str | None) -> bool:
    """True for a name marked with a role other than author ("Ann Lee (Illustrator)",
    "Bo Ek - translator", "Narrated by: Cy Dee"): a contributor, not an author."""
    return credit(raw)[1] in NOT_AUTHOR_ROLES


def clean_person(raw: str | None) -> str:
    """Drop export labels ('Writtenby:'), roles ('- illustrator') and reorder 'Last, First'."""
    name = _NAME_PREFIX.sub("", (raw or "").strip())
    name = _NAME_ROLE.sub("", name).strip()
    if "," in name:
        parts = [p.strip() for p in name.split(",") if p.strip()]
        parts = [p for p in parts if fold(p).replace(" ", "") not in _NAME_SUFFIXES]
        if len(parts) == 2 and " " not in parts[0].strip():
            name = f"{parts[1]} {parts[0]}"
        else:
            name = " ".join(parts)
    if " " not in name:
        name = _CAMEL.sub(" ", name)
    return name.strip()


@lru_cache(maxsize=65536)
def person_name(raw: str | None) -> PersonName:
    """'J.R.R. Tolkien', 'J. R. R. Tolkien', 'Tolkien, J.R.R.' -> ('j','r','r','tolkien')."""
    tokens = fold(clean_person(raw).replace(".", ". ")).split()
    while len(tokens) > 1 and tokens[-1] in _NAME_SUFFIXES:
        tokens.pop()
    while len(tokens) > 1 and tokens[0] in _NAME_SUFFIXES:
        tokens.pop(0)
    return PersonName(tuple(tokens))
