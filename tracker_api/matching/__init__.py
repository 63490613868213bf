"""Matching engine: which book of the user's tracker is this Audible item? (no Django here)

Give it an item and an index of the user's books, get back ranked candidates with distances,
penalties and reasons, and a recommendation; ``decide`` turns that into linked / conflict /
new. See docs/matching.md.
"""

from __future__ import annotations

from tracker_api.matching.config import MatchConfig
from tracker_api.matching.index import CatalogIndex
from tracker_api.matching.index import build_index
from tracker_api.matching.match import decide
from tracker_api.matching.match import propose
from tracker_api.matching.recommendation import Recommendation
from tracker_api.matching.types import Candidate
from tracker_api.matching.types import CatalogBook
from tracker_api.matching.types import Decision
from tracker_api.matching.types import Proposal
from tracker_api.matching.types import SourceItem

__all__ = [
    "Candidate",
    "CatalogBook",
    "CatalogIndex",
    "Decision",
    "MatchConfig",
    "Proposal",
    "Recommendation",
    "SourceItem",
    "build_index",
    "decide",
    "propose",
]
