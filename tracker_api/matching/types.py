"""The engine's public data types: catalogue books, Audible items, candidates and decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tracker_api.matching.recommendation import Recommendation


@dataclass(frozen=True)
class CatalogBook:
    """One book of the user's tracker as the engine sees it (no ORM object, just facts)."""

    id: Any
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    # Other people credited, (name, role): role "" when the source does not say ("Additional
    # Authors" of a Goodreads export), else "illustrator", "translator", "editor", ...
    contributors: tuple[tuple[str, str], ...] = ()
    isbn10: str | None = None
    isbn13: str | None = None
    asin: str | None = None
    series: str | None = None
    series_position: str | None = None
    year: int | None = None
    language: str | None = None
    goodreads_id: str | None = None


@dataclass(frozen=True)
class SourceItem:
    """One Audible library item, built from the normalised item shape of the gateway."""

    asin: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    series: tuple[tuple[str, str | None], ...] = ()
    isbn: str | None = None
    language: str | None = None
    year: int | None = None
    runtime_min: int | None = None
    is_podcast: bool = False
    format_type: str | None = None  # Audible's "unabridged", "abridged", "original_recording"

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SourceItem:
        """The normalised item dict (audible_contract.items.normalize_item) -> SourceItem.

        The one place a release year and the series entries are read from an item: the sync,
        book creation, conflicts and the admin all go through it (``audible_sync.items``).
        Lenient: a field of the wrong type (an old or hand-edited snapshot) reads as absent."""
        release = item.get("release_date") or ""
        runtime = item.get("runtime_min")
        year_match = re.match(r"(\d{4})", str(release))
        entries = item.get("series")
        series = tuple(
            (str(s["title"]), _text(s.get("sequence")))
            for s in (entries if isinstance(entries, list) else [])
            if isinstance(s, dict) and s.get("title")
        )
        return cls(
            asin=str(item.get("asin") or ""),
            title=str(item.get("title") or ""),
            subtitle=_text(item.get("subtitle")),
            authors=_strings(item.get("authors")),
            narrators=_strings(item.get("narrators")),
            series=series,
            isbn=_text(item.get("isbn")),
            language=_text(item.get("language")),
            year=int(year_match.group(1)) if year_match else None,
            runtime_min=runtime if isinstance(runtime, int) else None,
            is_podcast=bool(item.get("is_podcast")),
            format_type=_text(item.get("format_type")),
        )


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v) for v in value if v)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class Candidate:
    """A catalogue book scored against an item; lower distance is better."""

    book: CatalogBook
    distance: float
    penalties: dict[str, float]
    reasons: list[str]
    identifier: str | None = None  # "isbn" / "asin" when an identifier matched
    # The matcher's tier for this candidate, caps included (the best one's also has the gap
    # rule). Shown and acted on as stored: never recomputed from the distance alone.
    recommendation: Recommendation | None = None

    @property
    def similarity(self) -> float:
        return round(1.0 - self.distance, 4)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what a conflict stores and the dry run prints."""
        return {
            "id": self.book.id,
            "title": self.book.title,
            "authors": list(self.book.authors),
            "distance": round(self.distance, 4),
            "similarity": self.similarity,
            "reasons": list(self.reasons),
            "penalties": {k: round(v, 4) for k, v in self.penalties.items()},
            "goodreads_id": self.book.goodreads_id,
            "series": self.book.series,
            "series_position": self.book.series_position,
            "year": self.book.year,
            "recommendation": self.recommendation.name if self.recommendation else None,
        }


@dataclass(frozen=True)
class Proposal:
    """Ranked candidates for one item and how sure the engine is about the first."""

    candidates: list[Candidate]
    recommendation: Recommendation
    method: str = "fuzzy"  # "isbn" / "asin" when the best candidate was found by identifier

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Decision:
    """What to do with an item: link to ``book``, open a conflict, or treat it as new."""

    kind: str  # "linked" | "conflict" | "new"
    book: CatalogBook | None
    confidence: float
    candidates: list[Candidate] = field(default_factory=list)
    method: str = "fuzzy"
    recommendation: Recommendation = Recommendation.none

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; ``book`` is the linked candidate's dict or None."""
        linked = None
        if self.book is not None:
            linked = next((c.to_dict() for c in self.candidates if c.book.id == self.book.id), None)
        return {
            "decision": self.kind,
            "confidence": round(self.confidence, 4),
            "recommendation": self.recommendation.name,
            "method": self.method,
            "book": linked,
            "candidates": [c.to_dict() for c in self.candidates],
        }
