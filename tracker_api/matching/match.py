"""Propose candidates for an item and decide what to do with them (beets' quiet mode).

``propose`` ranks candidates and sets a recommendation tier; ``decide`` turns that into
"linked" (strong only), "conflict" (medium or low: a person chooses among the top
candidates) or "new" (nothing plausible).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker_api.matching.compare import compare
from tracker_api.matching.compare import title_similarity
from tracker_api.matching.config import MatchConfig
from tracker_api.matching.index import CatalogIndex
from tracker_api.matching.prepared import prepare_item
from tracker_api.matching.recommendation import Recommendation
from tracker_api.matching.types import Candidate
from tracker_api.matching.types import Decision
from tracker_api.matching.types import Proposal
from tracker_api.matching.types import SourceItem

DEFAULT_CONFIG = MatchConfig()


def propose(
    item: SourceItem | dict[str, Any], index: CatalogIndex, config: MatchConfig | None = None
) -> Proposal:
    """Ranked candidates for ``item`` from ``index`` and the recommendation for the best."""
    config = config or DEFAULT_CONFIG
    source = item if isinstance(item, SourceItem) else SourceItem.from_item(item)
    prepared = prepare_item(source)
    scored: list[Candidate] = []
    brand = index.is_brand(prepared)
    exact = False
    for book, book_prepared, quick_title in index.retrieve(prepared, config):
        # Candidates come best-first by a cheap title score. Once an exact match (distance 0)
        # is in hand, a book whose title is not character-identical can neither tie nor beat
        # it, so the rest need no full comparison.
        if quick_title < 1.0 and exact:
            break
        candidate = compare(
            prepared, book, book_prepared, config,
            brand=brand, book_brand=index.is_brand_book(book.id),
        )  # fmt: skip
        exact = exact or candidate.distance == 0.0
        scored.append(candidate)
    scored.sort(key=lambda c: (c.identifier is None, c.distance, str(c.book.id)))
    if not scored:
        return Proposal(candidates=[], recommendation=Recommendation.none)
    best = scored[0]
    if best.identifier is not None:
        _, best_prepared = index.books[best.book.id]
        title_sim, _ = title_similarity(prepared, best_prepared)
        if title_sim >= config.identifier_min_title_similarity:
            rest = [c for c in scored[1:] if c.identifier is not None]
            rec = Recommendation.strong if not rest else Recommendation.medium
            return Proposal(
                candidates=with_tiers(scored, rec, config), recommendation=rec,
                method=best.identifier,
            )  # fmt: skip
        # Titles flatly disagree: the identifier is not trusted; rank by distance alone.
        scored.sort(key=lambda c: (c.distance, str(c.book.id)))
    rec = recommend(scored, config)
    return Proposal(candidates=with_tiers(scored, rec, config), recommendation=rec)


def with_tiers(
    candidates: list[Candidate], best: Recommendation, config: MatchConfig
) -> list[Candidate]:
    """Each candidate with its own stored tier: the best one gets the proposal's, the others
    ``capped_tier`` (thresholds and caps; the gap rule is about the best alone)."""
    # Built directly: dataclasses.replace re-reads the fields of every candidate.
    return [
        Candidate(
            book=c.book,
            distance=c.distance,
            penalties=c.penalties,
            reasons=c.reasons,
            identifier=c.identifier,
            recommendation=best if n == 0 else capped_tier(c.distance, c.penalties, config),
        )
        for n, c in enumerate(candidates)
    ]


def capped_tier(
    distance: float, penalties: Mapping[str, float], config: MatchConfig
) -> Recommendation:
    """A candidate's tier from its distance, lowered by every max_rec cap its penalties
    reach. The one place tiers are computed: conflicts, the API and the admin show this."""
    if distance <= config.strong_threshold:
        rec = Recommendation.strong
    elif distance <= config.medium_threshold:
        rec = Recommendation.medium
    elif distance <= config.low_threshold:
        rec = Recommendation.low
    else:
        rec = Recommendation.none
    for key, value in penalties.items():
        cap = config.cap_for(key, value)
        if cap is not None and rec > cap:
            rec = cap
    return rec


def recommend(candidates: list[Candidate], config: MatchConfig) -> Recommendation:
    """The tier of the best candidate: thresholds, then the gap rule, then max_rec caps."""
    if not candidates:
        return Recommendation.none
    best = candidates[0]
    d0 = best.distance
    rec = capped_tier(d0, {}, config)
    if rec == Recommendation.strong and len(candidates) > 1:
        d1 = candidates[1].distance
        # An exact match is clearly ahead of any inexact one; otherwise demand a gap.
        if d1 - d0 < config.strong_gap and not (d0 == 0.0 < d1):
            rec = Recommendation.medium
    return min(rec, capped_tier(0.0, best.penalties, config))


def decide(proposal: Proposal, config: MatchConfig | None = None) -> Decision:
    """Strong -> linked; medium/low -> conflict with the top candidates; none -> new."""
    config = config or DEFAULT_CONFIG
    top = proposal.candidates[: config.top_n]
    best = proposal.best
    confidence = best.similarity if best else 0.0
    rec = proposal.recommendation
    if rec == Recommendation.strong and best is not None:
        kind, book = "linked", best.book
    elif rec in (Recommendation.medium, Recommendation.low):
        kind, book = "conflict", None
    else:
        kind, book = "new", None
    return Decision(
        kind=kind,
        book=book,
        confidence=confidence,
        candidates=top,
        method=proposal.method if kind == "linked" else "fuzzy",
        recommendation=rec,
    )
