"""The "children's" rule: a title goes to a person by a name on its Audible category ladder.

The gateway asks Audible for ``category_ladders`` (a real response group, AUDIBLE_API.md) and
the item carries ``categories``: one list of names per ladder, broadest first. A rule of kind
``category`` matches any rung, case-blind, after the series, author and narrator rules.
"""

from __future__ import annotations

import pytest

from audible_contract.items import normalize_item
from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.sync import run_sync
from tracker_api.households import membership
from tracker_api.households.models import PersonRule
from tracker_api.households.models import TitleRoute
from tracker_api.households.routing import Decision
from tracker_api.households.routing import Inputs
from tracker_api.households.routing import Rule
from tracker_api.households.routing import decide

HARRY = {"B0AXFG8RRU", "B052PHLGDJ", "B0T0YFZYP0", "B0CXYBEO2Z"}  # Children's Audiobooks
LADDER = {
    "ladder": [
        {"id": "195IYI9N20R", "name": "Children's Audiobooks"},
        {"id": "1UMISSARXRF", "name": "Literature & Fiction"},
    ],
    "root": "Genres",
}


def test_the_item_carries_its_category_ladders_broadest_first():
    raw = {"asin": "B0AXFG8RRU", "title": "Harry Potter", "category_ladders": [LADDER, LADDER]}
    assert normalize_item(raw)["categories"] == [["Children's Audiobooks", "Literature & Fiction"]]
    assert normalize_item({"asin": "B0X", "title": "t"})["categories"] == []  # group not sent
    odd = {"asin": "B0X", "title": "t", "category_ladders": [{"ladder": "?"}, 3, {"ladder": [{}]}]}
    assert normalize_item(odd)["categories"] == []  # passed over, the item stays readable


def test_a_category_rule_matches_any_rung_after_the_other_rules():
    item = {
        "asin": "B0AXFG8RRU",
        "narrators": ["Jim Dale"],
        "categories": [["Children's Audiobooks", "Literature & Fiction"]],
    }
    kid = [Rule("category", "children's  AUDIOBOOKS", 2)]
    inputs = Inputs(members={1, 2, 3}, default_person=1, rules=kid)
    assert decide(item, inputs) == Decision(2, "rule", "category is children's  AUDIOBOOKS")
    rung = Inputs(
        members={1, 2}, default_person=1, rules=[Rule("category", "literature & fiction", 2)]
    )
    assert decide(item, rung).person_id == 2
    narrator = Inputs(
        members={1, 2, 3}, default_person=1, rules=[*kid, Rule("narrator", "Jim Dale", 3)]
    )
    assert decide(item, narrator).person_id == 3  # narrator before category
    assert decide({"asin": "B0X"}, inputs).reason == "default"


@pytest.mark.django_db
def test_a_sync_gives_the_childrens_titles_to_the_child(
    sealed, gateway_settings, fresh_library, stack
):
    pat, kid = UserFactory(username="pat"), UserFactory(username="kid")
    ConfigFactory(user=pat, sealed_auth=sealed)
    home = membership.create_household(pat)
    membership.accept(membership.invite(home, kid, by=pat), by=kid)
    PersonRule.objects.create(
        household=home, person=kid, kind="category", value="Children's Audiobooks"
    )
    outcome = run_sync(kid, trigger="manual", force=True)
    assert outcome.status == "ok", outcome.log.error
    routes = TitleRoute.objects.filter(household=home, person=kid)
    assert set(routes.values_list("asin", flat=True)) == HARRY
    assert set(routes.values_list("detail", flat=True)) == {"category is Children's Audiobooks"}
    stored = AudibleBookMapping.objects.filter(user=kid).values_list("item", flat=True)
    assert stored
    assert all(["Children's Audiobooks", "Literature & Fiction"] in i["categories"] for i in stored)
    assert not AudibleBookMapping.objects.filter(user=pat, asin__in=HARRY).exists()
