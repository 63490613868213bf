"""A household's sync tells the gateway every member's known positions, not the owner's only.

Titles in progress whose position the tracker already holds are not looked up again
(``fetch.known_progress``): for a household connection those are in each member's tracker.
"""

# ruff: noqa: F811
from __future__ import annotations

from tests.households.test_household_sync import HARRY
from tests.households.test_household_sync import _sync
from tests.households.test_household_sync import family  # noqa: F401 - fixture
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.sync import fetch

POSITIONS = "/1.0/annotations/lastpositions"


def test_a_members_title_in_progress_is_not_looked_up_again(family, stack, monkeypatch):
    _home, pat, sam, _alex = family
    stack.state.update_progress(HARRY[2], percent=30.0)  # Sam's, by the collection "Sam"
    sent: list[dict] = []
    real = gateway.fetch_library

    def spy(sealed, *, known_progress=None, **kw):
        sent.append(dict(known_progress or {}))
        return real(sealed, known_progress=known_progress, **kw)

    monkeypatch.setattr(gateway, "fetch_library", spy)
    _sync(pat, stack)
    assert stack.state.calls_to(POSITIONS) >= 1  # first sync: every position is fetched
    held = AudibleBookMapping.objects.get(user=sam, asin=HARRY[2]).item["progress"]
    assert held["percent"] == 30.0
    assert held["position_ms"] is not None
    _sync(sam, stack)  # a member's press: the household's connection, every member's titles
    assert sent[-1][HARRY[2]][:3] == [30.0, held["time_remaining_s"], held["position_ms"]]
    # What is still looked up is only what no member's tracker holds (e.g. a podcast Pat
    # does not import): never a member's title.
    heard = {a: (i.get("listening_status") or {}) for a, i in stack.state.items.items()}
    unknown = {a for a, s in heard.items() if 0 < (s.get("percent_complete") or 0) < 100}
    assert HARRY[2] in unknown  # in progress on Audible
    unknown -= set(sent[-1])
    held_by_someone = AudibleBookMapping.objects.filter(
        asin__in=unknown, item__progress__position_ms__isnull=False
    )
    assert not held_by_someone.exists()
    config = AudibleConfig.objects.get(user=pat)
    assert HARRY[2] not in fetch.known_progress(config.user_id)  # the owner's own rows alone


def test_the_person_a_title_is_routed_to_wins_over_a_stale_copy(family, stack):
    _home, pat, sam, alex = family
    stack.state.update_progress(HARRY[2], percent=30.0)
    _sync(pat, stack)
    stale = AudibleBookMapping.objects.get(user=sam, asin=HARRY[2])
    item = {**stale.item, "progress": {**stale.item["progress"], "percent": 12.0}}
    AudibleBookMapping.objects.create(user=alex, asin=HARRY[2], match_method="created", item=item)
    people = [pat.pk, sam.pk, alex.pk]
    routes = {HARRY[2]: sam.pk}
    assert fetch.known_progress(pat.pk, people=people, routes=routes)[HARRY[2]][0] == 30.0
    moved = {HARRY[2]: alex.pk}
    assert fetch.known_progress(pat.pk, people=people, routes=moved)[HARRY[2]][0] == 12.0
