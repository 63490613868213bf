"""Whose is this title? One decision per title per sync, in a fixed order:

1. an explicit **assignment** (a person claimed it, or answered "whose is this?");
2. an Audible **collection** mapped to a person (the first mapped collection holding it, in
   Audible's order);
3. a person's **rule**: series, then author, then narrator, then category (any name on one of
   the item's Audible category ladders, e.g. "Children's Audiobooks"; the first rule made
   wins a tie);
4. otherwise the household's **default** person (the owner unless set), or, when the household
   asks, a **question** (the title waits, routed to nobody, until a member answers).

Only active members receive titles: an assignment, collection or rule of someone who left is
passed over. When the collections could not be read this sync, a title that was routed by a
collection keeps that route rather than falling through to a rule or the default.

:func:`decide` is pure (no ORM), so the order is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tracker_api.households.models import RouteReason
from tracker_api.households.models import RuleKind

RULE_ORDER = (RuleKind.SERIES, RuleKind.AUTHOR, RuleKind.NARRATOR, RuleKind.CATEGORY)


def fold_case_and_spaces(text: str) -> str:
    """Case- and space-blind form of a name (rules match on it).

    Not the matcher's ``tracker_api.matching.normalize.fold``, which also drops accents and
    punctuation ("Zoë" and "Zoe" fold alike there, not here).
    """
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Decision:
    person_id: int | None
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Rule:
    kind: str
    value: str  # as the person typed it (for the reason)
    person_id: int

    @property
    def key(self) -> str:
        return fold_case_and_spaces(self.value)


@dataclass
class Inputs:
    """Everything a decision needs, loaded once per sync."""

    members: set[int]
    default_person: int
    ask: bool = False
    assignments: dict[str, int] = field(default_factory=dict)
    # ASIN -> (person, collection name); None when the collections could not be read.
    collections: dict[str, tuple[int, str]] | None = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    previous: dict[str, Decision] = field(default_factory=dict)


def _values(item: dict[str, Any], kind: str) -> list[str]:
    if kind == RuleKind.SERIES:
        return [s.get("title") or "" for s in item.get("series") or [] if isinstance(s, dict)]
    if kind == RuleKind.CATEGORY:  # every rung of every ladder: "Children's Audiobooks" too
        ladders = [ladder for ladder in item.get("categories") or [] if isinstance(ladder, list)]
        return [name for ladder in ladders for name in ladder if isinstance(name, str)]
    key = "authors" if kind == RuleKind.AUTHOR else "narrators"
    return [name for name in item.get(key) or [] if isinstance(name, str)]


def decide(item: dict[str, Any], inputs: Inputs) -> Decision:
    """The one person (or the question) for ``item``, with the reason kept for people."""
    asin = item["asin"]
    assigned = inputs.assignments.get(asin)
    if assigned in inputs.members:
        return Decision(assigned, RouteReason.ASSIGNMENT, "assigned by hand")
    if inputs.collections is None:
        before = inputs.previous.get(asin)
        if (
            before is not None
            and before.reason == RouteReason.COLLECTION
            and before.person_id in inputs.members
        ):
            return before
    else:
        held = inputs.collections.get(asin)
        if held is not None and held[0] in inputs.members:
            return Decision(held[0], RouteReason.COLLECTION, f'in the collection "{held[1]}"')
    for kind in RULE_ORDER:
        values = {fold_case_and_spaces(v) for v in _values(item, kind) if v}
        if not values:
            continue
        for rule in inputs.rules:
            if rule.kind == kind and rule.person_id in inputs.members and rule.key in values:
                return Decision(rule.person_id, RouteReason.RULE, f"{kind} is {rule.value}")
    if inputs.ask:
        return Decision(None, RouteReason.QUESTION, "nothing routes it: asked whose it is")
    return Decision(inputs.default_person, RouteReason.DEFAULT, "the household's default person")


def collection_map(
    collections: list[dict[str, Any]], routes: dict[str, int], members: set[int]
) -> dict[str, tuple[int, str]]:
    """ASIN -> (person, collection name) from the gateway's collections and the mapped ids.

    The first mapped collection (in Audible's order) holding a title wins; collections of
    people who left are skipped, so a title in both "Sam" and "Alex" goes to whoever is here.
    """
    found: dict[str, tuple[int, str]] = {}
    for collection in collections:
        person = routes.get(collection["collection_id"])
        if person is None or person not in members:
            continue
        for asin in collection["asins"]:
            found.setdefault(asin, (person, collection["name"]))
    return found
