"""How a conflict's candidates are shown to people, in the API and the admin alike (beets' way).

Similarity is ``1 - distance``. The tier (badge colour: green strong, amber medium, red below)
is the matcher's own stored recommendation for that candidate, caps included; it is never
recomputed from the score, which would ignore the caps (an omnibus capped at ``low`` would
show, and be bulk-linked, as ``medium``). Candidates stored before the matcher stored tiers
get them from the matcher's one tier function, ``capped_tier``, over their stored penalties.
``differs`` lists the penalty keys that count, biggest first, as beets prints
``≠ album, year``. ``field_rows`` lays an Audible item beside a book field by field and
marks the rows the matcher found different.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from tracker_api.audible_sync.items import first_series
from tracker_api.audible_sync.items import work_of
from tracker_api.books.credits import catalogue_contributors
from tracker_api.matching import MatchConfig
from tracker_api.matching import Recommendation
from tracker_api.matching.match import capped_tier

if TYPE_CHECKING:
    from tracker_api.books.models import Book

DEFAULT_CONFIG = MatchConfig()
DIFFERS_MIN_PENALTY = 0.1
MAX_DIFFERS = 3

PENALTY_LABELS = {
    "identifier": "identifier",
    "title": "title",
    "author": "author",
    "subtitle": "subtitle",
    "series": "series",
    "series_position": "series position",
    "title_number": "number in title",
    "year": "year",
    "language": "language",
    "omnibus": "omnibus / single volume",
    "derivative": "summary or guide",
    "adaptation": "dramatisation",
    "podcast": "podcast",
}
TIER_COLOURS = {"strong": "green", "medium": "amber", "low": "red"}


def stored_recommendation(
    candidate: dict[str, Any], config: MatchConfig = DEFAULT_CONFIG
) -> Recommendation:
    """The matcher's recommendation stored with the candidate; for candidates stored without
    one, the matcher's ``capped_tier`` over the stored distance and penalties."""
    try:
        return Recommendation.parse(candidate["recommendation"])
    except (KeyError, TypeError, ValueError):
        pass
    distance = _number(candidate.get("distance"))
    if distance is None:
        return Recommendation.none
    penalties = {
        str(k): float(v)
        for k, v in (candidate.get("penalties") or {}).items()
        if _number(v) is not None
    }
    return capped_tier(distance, penalties, config)


def tier_for(candidate: dict[str, Any], config: MatchConfig = DEFAULT_CONFIG) -> str:
    """strong / medium / low (the badge) from the stored recommendation; none shows as low."""
    rec = stored_recommendation(candidate, config)
    return rec.name if rec >= Recommendation.low else "low"


def bulk_linkable(
    conflict_recommendation: str | None,
    candidate: dict[str, Any] | None,
    config: MatchConfig = DEFAULT_CONFIG,
) -> bool:
    """Whether "link to the best candidate" may act without a person looking: only when the
    conflict's stored recommendation and the candidate's own stored tier are both strong or
    medium. Anything the matcher capped (an omnibus, a story of a collection: ``low``) stays
    open whatever its score; an unreadable stored value counts as ``none``."""
    if not candidate:
        return False
    try:
        overall = Recommendation.parse(conflict_recommendation or "none")
    except ValueError:
        overall = Recommendation.none
    return min(overall, stored_recommendation(candidate, config)) >= Recommendation.medium


def differing_keys(penalties: dict[str, Any], config: MatchConfig = DEFAULT_CONFIG) -> list[str]:
    """Penalty keys that count (at least ``DIFFERS_MIN_PENALTY``), heaviest first."""
    weighted = []
    for key, value in (penalties or {}).items():
        if not isinstance(value, int | float) or value < DIFFERS_MIN_PENALTY:
            continue
        weighted.append((value * config.weights.get(key, 1.0), key))
    return [key for _, key in sorted(weighted, key=lambda pair: (-pair[0], pair[1]))]


def differs_text(keys: list[str]) -> str:
    """``≠ series position, year`` (at most three keys, then an ellipsis); empty if none."""
    if not keys:
        return ""
    labels = [PENALTY_LABELS.get(key, key.replace("_", " ")) for key in keys[:MAX_DIFFERS]]
    return "≠ " + ", ".join(labels) + (", …" if len(keys) > MAX_DIFFERS else "")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value).strip() else None


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -9999 <= value <= 9999


def candidate_view(candidate: dict[str, Any]) -> dict[str, Any]:
    """A stored candidate (``Candidate.to_dict()``) in the shape people and the API see."""
    distance = _number(candidate.get("distance"))
    similarity = _number(candidate.get("similarity"))
    if similarity is None:
        similarity = round(1.0 - distance, 4) if distance is not None else 0.0
    if distance is None:
        distance = round(1.0 - similarity, 4)
    raw_id = candidate.get("id", candidate.get("book_id"))
    try:
        book_id = int(raw_id) if raw_id is not None else None
    except (TypeError, ValueError):
        book_id = None
    penalties = {
        str(k): float(v)
        for k, v in (candidate.get("penalties") or {}).items()
        if _number(v) is not None
    }
    return {
        "book_id": book_id,
        "title": str(candidate.get("title") or ""),
        "authors": [str(a) for a in candidate.get("authors") or []],
        "series": _text_or_none(candidate.get("series")),
        "series_position": _text_or_none(candidate.get("series_position")),
        "year": candidate.get("year") if _is_year(candidate.get("year")) else None,
        "similarity": similarity,
        "distance": distance,
        "tier": tier_for(candidate),
        "reasons": [str(r) for r in candidate.get("reasons") or []],
        "penalties": penalties,
        "differs": differing_keys(penalties),
    }


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side comparison."""

    label: str
    audible: str
    book: str
    differs: bool


def field_rows(
    item: dict[str, Any], book: Book | None, penalties: dict[str, float]
) -> list[FieldRow]:
    """The Audible item beside ``book`` (as it is now), row by row, with the rows the matcher
    penalised marked; a deleted book shows empty cells."""
    work = work_of(item)
    series, position = first_series(work)

    def penalised(key: str) -> bool:
        return penalties.get(key, 0.0) >= DIFFERS_MIN_PENALTY

    def text(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)

    book_value = (lambda name: text(getattr(book, name))) if book is not None else (lambda _: "")
    isbn = book_value("isbn13") or book_value("isbn10")
    narrators = ", ".join(
        name
        for name, role in catalogue_contributors(book.contributors if book is not None else [])
        if role == "narrator"
    )
    return [
        FieldRow("Title", text(work.title), book_value("title"), penalised("title")),
        FieldRow("Subtitle", text(work.subtitle), book_value("subtitle"), penalised("subtitle")),
        FieldRow("Authors", text(list(work.authors)), book_value("authors"), penalised("author")),
        FieldRow("Narrators", text(list(work.narrators)), narrators, False),
        FieldRow("Series", series, book_value("series"), penalised("series")),
        FieldRow(
            "Series position",
            position,
            book_value("series_position"),
            penalised("series_position"),
        ),
        FieldRow("Year", text(work.year), book_value("year"), penalised("year")),
        FieldRow("Language", text(work.language), book_value("language"), penalised("language")),
        FieldRow("ISBN", text(work.isbn), isbn, False),
        FieldRow("ASIN", text(work.asin), book_value("asin"), False),
    ]
