"""Match settings: weights, thresholds and caps, with defaults that suit most libraries.

Nothing here is a constant in code: every value can be overridden per user or per run with
``MatchConfig.from_dict({...})`` (unknown keys are refused so a typo cannot silently do
nothing). The defaults were chosen on the development set described in ``docs/matching.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from typing import Any

from tracker_api.matching.recommendation import Recommendation

DEFAULT_WEIGHTS: dict[str, float] = {
    # Identifiers carry the most weight (beets: album_id 5.0).
    "identifier": 5.0,
    # The main descriptive strings come next and are always compared.
    "title": 3.0,
    "author": 3.0,
    # Secondary facts, compared only when both sides have them.
    "subtitle": 0.5,
    "series": 0.5,
    "series_position": 1.0,
    "title_number": 1.0,
    "year": 0.5,
    "language": 0.25,
    # Facts that prove a different work (each also caps the recommendation, see max_rec).
    "omnibus": 1.0,
    "derivative": 1.0,
    "adaptation": 1.0,
    "podcast": 1.0,
    # Part, sibling or companion of the other's work (parts.py), an imprint label: signals of
    # doubt. They weigh little (they rank candidates); their caps keep them from linking.
    "remainder": 0.25,
    "companion": 0.25,
    "contents": 0.25,
    "imprint": 0.25,
}

# Penalty key -> the highest recommendation allowed once that penalty reaches its cap_min.
DEFAULT_MAX_REC: dict[str, str] = {
    # A title that differs outright is another book, whoever wrote it: "new", no review.
    "title": "none",
    # An author who is plainly someone else: another book with the same title.
    "author": "none",
    # A different number in the series or in the title: a person decides.
    "series_position": "medium",
    "title_number": "medium",
    # More or less than one volume: maybe the same text, a person decides.
    "omnibus": "low",
    # A summary, a dramatisation or a podcast is never the book itself.
    "derivative": "none",
    "adaptation": "none",
    "podcast": "none",
    # Another volume after a brand, a companion naming the book, a story of a collection, an
    # imprint label: maybe the book, maybe not. Never a link; a person decides.
    "remainder": "medium",
    "companion": "medium",
    "contents": "low",
    "imprint": "medium",
}
# The penalty at which a key's cap applies (default: cap_min_penalty).
DEFAULT_CAP_MIN: dict[str, float] = {"title": 0.5, "author": 0.5}


@dataclass(frozen=True)
class MatchConfig:
    """Every tunable of the engine. See docs/matching.md for what each one does."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # Recommendation tiers on the best candidate's distance (0 = identical, 1 = unrelated).
    strong_threshold: float = 0.07
    medium_threshold: float = 0.2
    low_threshold: float = 0.3
    # Auto-link only when the runner-up is at least this much further away.
    strong_gap: float = 0.05
    # A penalty key at or above this value triggers its max_rec cap.
    cap_min_penalty: float = 0.5
    max_rec: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MAX_REC))
    cap_min: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CAP_MIN))
    # An identifier hit is decisive unless the titles are less similar than this.
    identifier_min_title_similarity: float = 0.5
    # How many candidates a conflict carries, and how many get the full comparison.
    top_n: int = 5
    max_scored_candidates: int = 8
    # Title words found in more catalogue books than this are not used for retrieval.
    max_token_frequency: int = 400

    @classmethod
    def from_dict(cls, overrides: dict[str, Any] | None) -> MatchConfig:
        """Defaults with ``overrides`` applied; ``weights``/``max_rec`` are merged key by key."""
        overrides = dict(overrides or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown match settings: {', '.join(unknown)}")
        base = cls()
        if "weights" in overrides:
            weights = dict(base.weights)
            for key, value in dict(overrides.pop("weights")).items():
                if key not in weights:
                    raise ValueError(f"unknown weight: {key}")
                if float(value) < 0:
                    raise ValueError(f"weight {key} must not be negative")
                weights[key] = float(value)
            overrides["weights"] = weights
        if "max_rec" in overrides:
            caps = dict(base.max_rec)
            for key, value in dict(overrides.pop("max_rec")).items():
                Recommendation.parse(value)
                caps[key] = str(value)
            overrides["max_rec"] = caps
        if "cap_min" in overrides:
            overrides["cap_min"] = {
                **base.cap_min,
                **{k: float(v) for k, v in dict(overrides["cap_min"]).items()},
            }
        config = replace(base, **overrides)
        config.validate()
        return config

    def validate(self) -> None:
        """Refuse settings that cannot work together (e.g. strong above medium)."""
        if not 0 <= self.strong_threshold <= self.medium_threshold <= self.low_threshold <= 1:
            raise ValueError("thresholds must satisfy 0 <= strong <= medium <= low <= 1")
        if self.top_n < 1 or self.max_scored_candidates < self.top_n:
            raise ValueError("top_n must be >= 1 and max_scored_candidates >= top_n")

    def cap_for(self, key: str, penalty: float) -> Recommendation | None:
        """The highest recommendation allowed with this penalty on ``key``, if capped."""
        value = self.max_rec.get(key)
        if value is None or penalty < self.cap_min.get(key, self.cap_min_penalty):
            return None
        return Recommendation.parse(value)
