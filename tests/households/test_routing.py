"""The routing order as a pure function: assignment > collection > rule > default/question."""

from __future__ import annotations

from tracker_api.households.routing import Decision
from tracker_api.households.routing import Inputs
from tracker_api.households.routing import Rule
from tracker_api.households.routing import collection_map
from tracker_api.households.routing import decide

PAT, SAM, ALEX, GONE = 1, 2, 3, 9
ITEM = {
    "asin": "B0HARRY001",
    "authors": ["J.K. Rowling"],
    "narrators": ["Jim Dale"],
    "series": [{"title": "Harry Potter", "sequence": "1"}],
}


def _inputs(**kw) -> Inputs:
    return Inputs(members={PAT, SAM, ALEX}, default_person=PAT, **kw)


def test_each_step_beats_the_next():
    rules = [Rule("narrator", "jim  dale", ALEX)]
    collections = {ITEM["asin"]: (SAM, "Sam")}
    assigned = {ITEM["asin"]: PAT}
    full = _inputs(assignments=assigned, collections=collections, rules=rules)
    assert decide(ITEM, full) == Decision(PAT, "assignment", "assigned by hand")
    no_assignment = _inputs(collections=collections, rules=rules)
    assert decide(ITEM, no_assignment) == Decision(SAM, "collection", 'in the collection "Sam"')
    only_rule = _inputs(rules=rules)
    assert decide(ITEM, only_rule) == Decision(ALEX, "rule", "narrator is jim  dale")
    assert decide(ITEM, _inputs()).reason == "default"
    asked = decide(ITEM, _inputs(ask=True))
    assert (asked.person_id, asked.reason) == (None, "question")


def test_series_beats_author_beats_narrator_and_the_older_rule_wins_a_tie():
    rules = [
        Rule("narrator", "Jim Dale", ALEX),
        Rule("author", "j.k. rowling", SAM),
        Rule("series", "HARRY POTTER", PAT),
        Rule("series", "Harry Potter", ALEX),
    ]
    assert decide(ITEM, _inputs(rules=rules)) == Decision(PAT, "rule", "series is HARRY POTTER")
    assert decide(ITEM, _inputs(rules=rules[:2])).person_id == SAM


def test_people_who_left_get_nothing():
    gone = _inputs(
        assignments={ITEM["asin"]: GONE},
        collections={ITEM["asin"]: (GONE, "Kim")},
        rules=[Rule("author", "J.K. Rowling", GONE)],
    )
    assert decide(ITEM, gone) == Decision(PAT, "default", "the household's default person")


def test_unreadable_collections_keep_a_collection_route_but_not_others():
    kept = Decision(SAM, "collection", 'in the collection "Sam"')
    inputs = _inputs(collections=None, previous={ITEM["asin"]: kept})
    assert decide(ITEM, inputs) == kept
    by_default = Decision(PAT, "default", "")
    assert decide(ITEM, _inputs(collections=None, previous={ITEM["asin"]: by_default})).reason == (
        "default"
    )


def test_the_first_mapped_collection_in_audibles_order_wins():
    collections = [
        {"collection_id": "c-none", "name": "Unmapped", "asins": ["A1"]},
        {"collection_id": "c-gone", "name": "Kim", "asins": ["A1"]},
        {"collection_id": "c-sam", "name": "Sam", "asins": ["A1", "A2"]},
        {"collection_id": "c-alex", "name": "Alex", "asins": ["A2", "A3"]},
    ]
    routes = {"c-sam": SAM, "c-alex": ALEX, "c-gone": GONE}
    assert collection_map(collections, routes, {PAT, SAM, ALEX}) == {
        "A1": (SAM, "Sam"),
        "A2": (SAM, "Sam"),
        "A3": (ALEX, "Alex"),
    }
