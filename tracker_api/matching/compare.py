"""Compare one Audible item with one catalogue book: penalties, distance and reasons.

Penalty keys (weights in ``MatchConfig.weights``):

* ``identifier``: 0 when an ISBN or the ASIN matches; added only on a hit.
* ``title`` / ``author``: always added; a missing side is a full penalty.
* ``subtitle``, ``series``, ``series_position``, ``year``, ``language``: only when both sides
  have the fact.
* ``title_number``: the titles carry different numbers ("Soul 2" vs "Soul").
* ``omnibus``, ``derivative``, ``adaptation``, ``podcast``: the two sides are different kinds of
  work (a box set against a single volume, a summary against the book...).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from tracker_api.matching import parts
from tracker_api.matching.config import MatchConfig
from tracker_api.matching.distance import Distance
from tracker_api.matching.normalize import text_similarity
from tracker_api.matching.people import authors_similarity
from tracker_api.matching.prepared import ALTERNATE_COST
from tracker_api.matching.prepared import LISTED_COST
from tracker_api.matching.prepared import Prepared
from tracker_api.matching.types import Candidate
from tracker_api.matching.types import CatalogBook

_CONNECTORS = frozenset({"and", "the", "of", "in", "a", "an", "to"})
# What it costs to match on a reduced form of the title rather than the whole of it
# (ALTERNATE_COST and LISTED_COST live with the title forms in ``prepared``).
SERIES_PREFIX_COST = 0.02
SUBTITLE_ONLY_COST = 0.08
MAIN_IS_SERIES_COST = 0.15
# Part/whole checks only matter when the titles are otherwise this alike.
REMAINDER_MIN_SIMILARITY = 0.7
# Series names this alike are taken to be the same series when comparing positions.
SAME_SERIES_SIMILARITY = 0.6


def _strip_series_prefix(title: str, series_names: tuple[str, ...]) -> str | None:
    """'percy jackson and the battle of the labyrinth' with series 'percy jackson and the
    olympians' -> 'battle of the labyrinth' (Audible often prefixes the series name)."""
    words = title.split()
    for series in series_names:
        series_words = series.split()
        common = 0
        while common < min(len(words), len(series_words)) and words[common] == series_words[common]:
            common += 1
        meaningful = [w for w in series_words[:common] if w not in _CONNECTORS]
        if common == 0 or (len(meaningful) < 2 and common < len(series_words)):
            continue
        rest = words[common:]
        while rest and rest[0] in _CONNECTORS:
            rest = rest[1:]
        if len(rest) >= 1 and rest != words:
            return " ".join(rest)
    return None


@dataclass(frozen=True)
class TitleMatch:
    """The best title pairing: its similarity, how it is described, and whether each side's
    subtitle took part in it (a subtitle left out is a remainder to account for)."""

    similarity: float
    how: str
    item_subtitle_used: bool
    book_subtitle_used: bool


def title_similarity(item: Prepared, book: Prepared) -> tuple[float, str]:
    """Best similarity over the title forms of both sides, and which form matched."""
    found = best_title_match(item, book)
    return found.similarity, found.how


def best_title_match(item: Prepared, book: Prepared) -> TitleMatch:
    """Best similarity over the title forms of both sides, with the forms that matched."""
    series_names = book.series_names
    # "Vampire Academy: Last Sacrifice" against "Vampire Academy" (the series' first book):
    # when the item's main title is the book's series name, the subtitle is the real title.
    main_is_series = item.title.subtitle and item.main_series_key in book.series_keys
    # form -> (cost, label, whether the subtitle is in it); the first offer of a form wins
    # unless a later one is cheaper.
    item_forms: dict[str, tuple[float, str, bool]] = {}
    has_sub = bool(item.title.subtitle)

    def offer(text: str | None, cost: float, label: str, with_sub: bool) -> None:
        if text and (text not in item_forms or item_forms[text][0] > cost):
            item_forms[text] = (cost, label, with_sub)

    offer(item.title.full, 0.0, "title", has_sub)
    offer(item.title.main, MAIN_IS_SERIES_COST if main_is_series else 0.0, "title", False)
    for alt in item.title.alternates:
        offer(alt, ALTERNATE_COST, "alternate title", True)
    if series_names:
        for form, with_sub in ((item.title.full, has_sub), (item.title.main, False)):
            offer(
                _strip_series_prefix(form, series_names),
                SERIES_PREFIX_COST,
                "title without series name",
                with_sub,
            )
    if len(item.title.subtitle.split()) >= 2:
        offer(item.title.subtitle, SUBTITLE_ONLY_COST, "subtitle", True)
    for element in item.listed:
        offer(element, LISTED_COST, "one of the works the item lists", True)
    book_has_sub = bool(book.title.subtitle)
    book_forms = book.title_forms
    best, how, used, book_used = 0.0, "title", True, True
    for text, (cost, label, with_sub) in item_forms.items():
        for other, (other_cost, other_sub) in book_forms.items():
            if not other or 1.0 - cost - other_cost < best:
                continue
            score = text_similarity(text, other) - cost - other_cost
            # On a tie, the pairing that uses more of both titles is the one that counts.
            if score > best or (
                score == best and (with_sub, other_sub) > (used, book_used) and score > 0
            ):
                best, how, used, book_used = score, label, with_sub, other_sub
    return TitleMatch(max(best, 0.0), how, used or not has_sub, book_used or not book_has_sub)


def _same_series(a: str, b: str) -> bool:
    return not a or not b or Indel.normalized_similarity(a, b) >= SAME_SERIES_SIMILARITY


_ADAPTATION_WORDS = {
    "drama": "a dramatisation",
    "retelling": "a retelling or adaptation",
    "graphic": "a graphic novel",
    "screen": "a script",
}


def _kind_reason(key: str, item_value: object, book_value: object) -> str:
    if key == "adaptation":
        mine = _ADAPTATION_WORDS.get(str(item_value), "the book itself")
        theirs = _ADAPTATION_WORDS.get(str(book_value), "the book itself")
        if item_value and book_value:
            return f"the item is {mine}, the book {theirs}: two different adaptations"
        side, what = ("item", mine) if item_value else ("book", theirs)
        return f"the {side} is {what}, the other is not"
    words = {
        "omnibus": {"omnibus": "an omnibus or box set", "part": "one part of a split volume"},
        "derivative": "a summary, guide, talk or excerpt",
        "podcast": "a podcast episode",
    }[key]
    if isinstance(words, dict):
        side, value = ("item", item_value) if item_value else ("book", book_value)
        return f"the {side} is {words[str(value)]}, the other a single volume"
    side = "item" if item_value else "book"
    return f"the {side} is {words}, the other is not"


def compare(
    item: Prepared,
    book: CatalogBook,
    prepared: Prepared,
    config: MatchConfig,
    *,
    brand: bool = False,
    book_brand: bool = False,
) -> Candidate:
    """Score ``book`` against ``item``: the lower the distance, the likelier the same work.

    ``brand``: the item's main title is a name the catalogue uses for a series or for several
    books, so whatever follows it on the item is a volume's own title. ``book_brand``: the
    same of the book's main title (the catalogue holds a volume, the item is the brand's).
    """
    dist = Distance(config.weights)
    reasons: list[str] = []
    identifier = None

    # Identifiers.
    if item.isbns & prepared.isbns:
        identifier = "isbn"
    elif item.asin and item.asin == prepared.asin:
        identifier = "asin"
    if identifier:
        dist.add("identifier", 0.0)
        reasons.append(f"{identifier.upper()} matches")

    # Title: always compared.
    found = best_title_match(item, prepared) if item.title.main else None
    title_sim, how = (found.similarity, found.how) if found else (0.0, "title")
    dist.add("title", 1.0 - title_sim)
    reasons.append(_similarity_words("title" if how == "title" else how, title_sim))
    if found is not None and title_sim >= REMAINDER_MIN_SIMILARITY:
        _compare_parts(item, prepared, found, dist, reasons, brand=brand, book_brand=book_brand)

    # Authors: always compared; no author on either side is a full penalty.
    author_sim, _, _ = authors_similarity(item.names, prepared.names)
    dist.add("author", 1.0 - author_sim)
    if not item.names or not prepared.names:
        reasons.append("author unknown on one side")
    else:
        reasons.append(_similarity_words("author", author_sim))

    # Subtitle: only when both have one.
    if item.title.subtitle and prepared.title.subtitle:
        sub_sim = Indel.normalized_similarity(item.title.subtitle, prepared.title.subtitle)
        dist.add("subtitle", 1.0 - sub_sim)
        if sub_sim < 0.8:
            reasons.append("subtitle differs")

    # Series name and position.
    _compare_series(item, prepared, dist, reasons)

    # Numbers in the title name different works ("Chicken Soup ... 2").
    left, right = item.numbers, prepared.numbers
    if item.title.subtitle and prepared.title.subtitle:
        left, right = left | item.subtitle_numbers, right | prepared.subtitle_numbers
    if left != right:
        dist.add("title_number", 1.0)
        reasons.append(
            f"numbers in the title differ: {', '.join(sorted(left)) or 'none'} vs "
            f"{', '.join(sorted(right)) or 'none'}"
        )

    # Year: an audiobook cannot come out long before the book was first published.
    if item.year and prepared.year:
        early = prepared.year - item.year - 1
        dist.add_ratio("year", early, 10)
        if early > 0:
            reasons.append(f"released {item.year}, before the book's {prepared.year}")

    # Language: a translation is the same work, so this only nudges.
    if item.language and prepared.language:
        dist.add_expr("language", item.language != prepared.language)
        if item.language != prepared.language:
            reasons.append(f"language differs: {item.language} vs {prepared.language}")

    # Kinds of work (two adaptations of different kinds are different works too).
    for key, mine, theirs in (
        ("omnibus", item.kinds.omnibus, prepared.kinds.omnibus),
        ("derivative", item.kinds.derivative, prepared.kinds.derivative),
        ("adaptation", item.kinds.adaptation, prepared.kinds.adaptation),
        ("podcast", item.kinds.podcast, prepared.kinds.podcast),
    ):
        if mine != theirs:
            dist.add(key, 1.0)
            reasons.append(_kind_reason(key, mine, theirs))
    _compare_imprints(item, prepared, dist, reasons)

    return Candidate(
        book=book,
        distance=dist.distance,
        penalties=dist.penalties(),
        reasons=reasons,
        identifier=identifier,
    )


def _compare_imprints(item: Prepared, book: Prepared, dist: Distance, reasons: list[str]) -> None:
    """The item carries the label of a line of books that the book lacks ("(Some House
    Classics)"): perhaps the plain text, perhaps a simplified one, so a person looks. (On the
    catalogue side brackets are series names; only retelling labels count there, as
    adaptations.)"""
    keys = book.label_keys
    alone = [label for label, key in item.imprint_keys if key not in keys]
    if alone:
        dist.add("imprint", 1.0)
        reasons.append(
            f"the item carries the label '{alone[0]}' (an imprint or a line of books, perhaps "
            "a simplified edition)"
        )


def _compare_parts(
    item: Prepared,
    book: Prepared,
    found: TitleMatch,
    dist: Distance,
    reasons: list[str],
    *,
    brand: bool,
    book_brand: bool = False,
) -> None:
    """Remainder, companion and contents checks (see ``parts``)."""
    # Remainder: the item's subtitle, left out of the pairing, that nothing explains (a
    # catalogue's subtitle the item lacks is the usual shortened Audible title: no signal).
    rest = item.title.subtitle
    # Both sides numbering the same volume of the same series settle which volume it is.
    if rest and _same_volume(item, book):
        rest = ""
    names = item.name_words | book.name_words
    surnames = item.surnames | book.surnames
    if rest and not found.item_subtitle_used:
        other_words = book.full_words | names
        accounted = parts.accounted_for(rest, other_words, book.series_names, surnames)
        if not accounted and (brand or not item.lead_is_description):
            dist.add("remainder", 1.0)
            what = "after a name used for a series" if brand else "that reads as a title"
            reasons.append(
                f"the item's title goes on with '{rest}' {what}, which the book lacks: "
                "maybe another volume"
            )
    # The other way round, only after a brand: the catalogue holds one volume ("Widget: The
    # Lost Kite"), the item is the brand's own book ("Widget"). A catalogue subtitle is
    # otherwise the usual fuller title Audible shortens, so it needs that evidence.
    book_rest = book.title.subtitle
    if (
        book_brand
        and book_rest
        and not found.book_subtitle_used
        and "remainder" not in dist
        and not _same_volume(item, book)
        and not book.lead_is_description
    ):
        other_words = item.full_words | names
        if not parts.accounted_for(book_rest, other_words, item.series_names, surnames):
            dist.add("remainder", 1.0)
            reasons.append(
                f"the book's title goes on with '{book_rest}' after a name used for a series, "
                "which the item lacks: maybe another volume"
            )
    # Companion or sequel: the book's whole title inside a longer item title (unless a kind
    # marker, "Box Set", "Summary", already explains the words it adds).
    kinds = item.kinds
    explained = kinds.omnibus or kinds.derivative or kinds.adaptation or kinds.podcast
    if (
        not explained
        and found.similarity < 1.0
        and any(parts.extends(item.title.main, form, names) for form in book.main_and_full)
    ):
        dist.add("companion", 1.0)
        reasons.append("the item's title contains the book's and adds words: maybe a companion")
    # Contents: one side lists works and the other is one of them.
    for mine, other, side in ((item, book, "item"), (book, item, "book")):
        if any(
            parts.is_listed(form, other.listed, other.title.full) for form in mine.title_variants
        ):
            dist.add("contents", 1.0)
            reasons.append(f"the {side} is one of the works the other's title lists")
            break


def _compare_series(item: Prepared, book: Prepared, dist: Distance, reasons: list[str]) -> None:
    item_named = [m for m in item.series if m.name]
    book_named = [m for m in book.series if m.name]
    if item_named and book_named:
        best = max(
            Indel.normalized_similarity(a.name, b.name) for a in item_named for b in book_named
        )
        dist.add("series", 1.0 - best)
        if best < SAME_SERIES_SIMILARITY:
            reasons.append("series name differs")
    pairs = _position_pairs(item, book)
    if not pairs:
        return
    if any(a == b for a, b in pairs):
        dist.add("series_position", 0.0)
        reasons.append(f"series number matches: {pairs[0][0]}")
    else:
        dist.add("series_position", 1.0)
        reasons.append(f"series number differs: {pairs[0][0]} vs {pairs[0][1]}")


def _position_pairs(item: Prepared, book: Prepared) -> list[tuple[str, str]]:
    """The (item, book) volume numbers of every series the two have in common."""
    return [
        (a.position, b.position)
        for a in item.series
        for b in book.series
        if a.position and b.position and _same_series(a.name, b.name)
    ]


def _same_volume(item: Prepared, book: Prepared) -> bool:
    return any(a == b for a, b in _position_pairs(item, book))


def _similarity_words(what: str, similarity: float) -> str:
    if similarity >= 0.97:
        return f"{what} matches"
    if similarity >= 0.8:
        return f"{what} is similar ({similarity:.0%})"
    if similarity >= 0.5:
        return f"{what} differs in part ({similarity:.0%})"
    return f"{what} differs"
