"""Matching engine: which book of the user's tracker is this Audible item? (no Django here)

Give it an item and an index of the user's books, get back ranked candidates with distances,
penalties and reasons, and a recommendation; ``decide`` turns that into linked / conflict /
new. See docs/matching.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
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

# Loaded on first use (PEP 562): ``tracker_api.books.text`` needs only ``matching.normalize``,
# and importing the package must not load the whole engine (rapidfuzz, the index) with it.
_WHERE = {
    "MatchConfig": "tracker_api.matching.config",
    "CatalogIndex": "tracker_api.matching.index",
    "build_index": "tracker_api.matching.index",
    "decide": "tracker_api.matching.match",
    "propose": "tracker_api.matching.match",
    "Recommendation": "tracker_api.matching.recommendation",
    "Candidate": "tracker_api.matching.types",
    "CatalogBook": "tracker_api.matching.types",
    "Decision": "tracker_api.matching.types",
    "Proposal": "tracker_api.matching.types",
    "SourceItem": "tracker_api.matching.types",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
