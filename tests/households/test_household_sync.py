"""A household of three on one sandbox login, through the real gateway, on PostgreSQL.

Pat owns the connection; Sam and Alex joined by invitation. Titles are routed by an Audible
collection ("Sam"), by rules (Alex: author Brandon Sanderson, narrator Jim Dale), by explicit
assignment (Dune to Alex; the fourth Harry Potter to Pat, over Sam's collection) and by the
default (Pat). One library fetch serves all three; each sees only their own titles.
"""

from __future__ import annotations

import pytest

from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.sync.background import start_sync
from tracker_api.audible_sync.sync.service import SyncAlreadyRunning
from tracker_api.audible_sync.sync.service import SyncRateLimited
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.households import membership
from tracker_api.households import sync as household_sync
from tracker_api.households.models import CollectionRoute
from tracker_api.households.models import PersonRule
from tracker_api.households.models import QuestionStatus
from tracker_api.households.models import TitleRoute
from tracker_api.households.models import Unrouted
from tracker_api.households.models import WhoseQuestion

PAGES = "/1.0/library"
HARRY = ["B0AXFG8RRU", "B052PHLGDJ", "B0T0YFZYP0", "B0CXYBEO2Z"]  # Jim Dale narrates all
SANDERSON = ["B0XUB7JNMW", "B0RXHHRYPP", "B068O6ZRWP", "B0O4LRLQQH"]
NIGHT_CIRCUS = "B0ASRXSQQT"  # narrated by Jim Dale
DUNE = "B0W72Y89K8"
HOBBIT = "B07D4Z1S78"
PODCAST = "B0TJYQI82W"  # routed to Pat, not imported (podcasts are off by default)
RETURNED = "B0DGL6UHP8"  # routed to Pat, revoked: nothing to import


@pytest.fixture
def family(db, sealed, gateway_settings, fresh_library):
    """Pat (owner, connected), Sam and Alex (members), routing as the module says."""
    fresh_library.collections.reset()
    pat, sam, alex = (UserFactory(username=n) for n in ("pat", "sam", "alex"))
    ConfigFactory(user=pat, sealed_auth=sealed)
    home = membership.create_household(pat, name="The Smiths")
    for person in (sam, alex):
        membership.accept(membership.invite(home, person, by=pat), by=person)
    fresh_library.collections.create({"name": "Sam", "asins": HARRY})
    fresh_library.collections.create({"name": "Alex", "asins": []})
    CollectionRoute.objects.create(household=home, collection_name="Sam", person=sam)
    CollectionRoute.objects.create(household=home, collection_name="alex", person=alex)
    PersonRule.objects.create(household=home, person=alex, kind="author", value="brandon SANDERSON")
    PersonRule.objects.create(household=home, person=alex, kind="narrator", value="Jim Dale")
    household_sync.assign(home, DUNE, alex.pk, by=alex)
    household_sync.assign(home, HARRY[3], pat.pk, by=pat)
    return home, pat, sam, alex


def _asins(user) -> set[str]:
    """Titles in the person's tracker: linked or created, or waiting as a conflict."""
    mapped = AudibleBookMapping.objects.filter(user=user).values_list("asin", flat=True)
    waiting = AudibleConflict.objects.filter(user=user).values_list("asin", flat=True)
    return {*mapped, *waiting}


def _routed(home, user) -> set[str]:
    return set(
        TitleRoute.objects.filter(household=home, person=user).values_list("asin", flat=True)
    )


def _sync(user, stack):
    stack.state.reset_calls()
    outcome = run_sync(user, trigger="manual", force=True)
    assert outcome.status == "ok", outcome.log.error
    return outcome


def test_one_fetch_routes_every_title_to_one_person_with_its_reason(family, stack):
    home, pat, sam, alex = family
    outcome = _sync(sam, stack)  # a member's press syncs the household's connection
    assert stack.state.calls_to(PAGES) == 1
    assert outcome.log.user_id == pat.pk
    assert _asins(sam) == set(HARRY[:3])
    assert _asins(alex) == {*SANDERSON, NIGHT_CIRCUS, DUNE}
    everything = set(stack.state.items) | set(stack.state.tombstones)
    assert _asins(pat) == everything - _asins(sam) - _asins(alex) - {PODCAST, RETURNED}
    assert _routed(home, pat) == everything - _asins(sam) - _asins(alex)
    assert HARRY[3] in _asins(pat)
    assert HOBBIT in _asins(pat)
    routes = {r.asin: r for r in TitleRoute.objects.filter(household=home)}
    assert len(routes) == len(everything)
    assert (routes[HARRY[0]].reason, routes[HARRY[0]].detail) == (
        "collection",
        'in the collection "Sam"',
    )
    assert (routes[HARRY[3]].reason, routes[HARRY[3]].person_id) == ("assignment", pat.pk)
    assert (routes[SANDERSON[0]].reason, routes[SANDERSON[0]].detail) == (
        "rule",
        "author is brandon SANDERSON",
    )
    assert routes[NIGHT_CIRCUS].detail == "narrator is Jim Dale"
    assert (routes[DUNE].reason, routes[HOBBIT].reason) == ("assignment", "default")
    for person in (pat, sam, alex):
        assert AudibleSyncLog.objects.filter(user=person, status="ok").count() == 1
    assert AudibleSyncLog.objects.get(user=sam).items_seen == 3
    # The connection's run says what it cost Audible: the pages, positions and collections.
    assert outcome.log.audible_requests == sum(stack.state.calls.values())


def test_each_person_sees_only_their_own_titles_and_never_the_blob(family, stack, sealed):
    home, pat, sam, alex = family
    _sync(pat, stack)
    for person in (pat, sam, alex):
        api = token_client(person)
        books = api.get("/api/books", {"page_size": 100}).json()["results"]
        mine = set(Book.objects.filter(user=person).values_list("pk", flat=True))
        assert {b["id"] for b in books} == mine
        titles = api.get("/api/audible/titles", {"page_size": 100}).json()["results"]
        assert _asins(person) <= {t["asin"] for t in titles} <= _routed(home, person)
        for path in ("/api/audible/status", "/api/audible/config", "/api/household"):
            assert sealed not in api.get(path).content.decode()
    assert not set(Book.objects.filter(user=sam).values_list("title", flat=True)) & set(
        Book.objects.filter(user=alex).values_list("title", flat=True)
    )


def test_moving_a_title_to_another_collection_reroutes_its_future_progress(family, stack):
    home, pat, sam, alex = family
    _sync(pat, stack)
    asin = AudibleBookMapping.objects.filter(user=sam).values_list("asin", flat=True)[0]
    before = AudibleBookMapping.objects.get(user=sam, asin=asin)
    stack.state.collections.move(asin, "Alex")
    stack.state.update_progress(asin, percent=42.0)
    _sync(pat, stack)
    route = TitleRoute.objects.get(household=home, asin=asin)
    assert (route.person_id, route.previous_person_id) == (alex.pk, sam.pk)
    assert route.detail == 'in the collection "Alex"'
    assert asin in _asins(alex)
    moved = AudibleBookMapping.objects.filter(user=alex, asin=asin).first()
    if moved is not None:  # linked or created for Alex (else waiting as Alex's conflict)
        assert moved.last_percent == 42.0
    stayed = AudibleBookMapping.objects.get(user=sam, asin=asin)
    assert (stayed.last_percent, stayed.in_library) == (before.last_percent, True)


def test_a_member_who_leaves_keeps_reads_and_history(family, stack):
    home, pat, sam, alex = family
    stack.state.update_progress(HARRY[2], percent=30.0)
    _sync(pat, stack)
    reads = list(BookRead.objects.filter(book__user=sam).values_list("pk", flat=True))
    history = AudibleProgressHistory.objects.filter(user=sam).count()
    assert reads
    assert history
    membership.leave(home, sam.pk, by=sam)
    _sync(pat, stack)
    assert list(BookRead.objects.filter(book__user=sam).values_list("pk", flat=True)) == reads
    assert AudibleProgressHistory.objects.filter(user=sam).count() == history
    # Sam's collection no longer routes: Jim Dale (Alex's narrator rule) takes the titles.
    assert TitleRoute.objects.get(household=home, asin=HARRY[0]).person_id == alex.pk
    alone = run_sync(sam, trigger="manual", force=True)  # no longer the household's login
    assert (alone.log.user_id, alone.error_code) == (sam.pk, "audible_not_connected")


def test_two_members_pressing_sync_now_start_one_sync(family, stack):
    _home, pat, sam, alex = family
    started = start_sync(sam, trigger="manual")  # holds the connection's lock until it runs
    assert started.user_id == pat.pk
    with pytest.raises(SyncAlreadyRunning):
        start_sync(alex, trigger="manual")
    answer = token_client(alex).post("/api/audible/sync", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "sync_already_running"


def test_whose_is_this_is_asked_once_and_the_answer_routes_the_title(family, stack):
    home, pat, sam, alex = family
    home.unrouted = Unrouted.ASK
    home.save()
    _sync(pat, stack)
    question = WhoseQuestion.objects.get(household=home, asin=HOBBIT, status="open")
    assert question.item["title"] == "The Hobbit"
    assert not AudibleBookMapping.objects.filter(asin=HOBBIT).exists()
    household_sync.answer_question(question, sam.pk, by=alex)
    _sync(pat, stack)
    assert HOBBIT in _asins(sam)
    assert TitleRoute.objects.get(household=home, asin=HOBBIT).reason == "assignment"
    assert WhoseQuestion.objects.filter(household=home, asin=HOBBIT).count() == 1
    assert WhoseQuestion.objects.get(household=home, asin=HOBBIT).status == QuestionStatus.ANSWERED


def test_a_collection_made_again_under_its_name_still_routes(family, stack):
    home, pat, sam, _alex = family
    _sync(pat, stack)
    first_id = CollectionRoute.objects.get(household=home, person=sam).collection_id
    stack.state.collections.reset()  # deleted at Audible, then made again: a new id
    stack.state.collections.create({"name": "SAM", "asins": HARRY[:3]})
    _sync(pat, stack)
    route = CollectionRoute.objects.get(household=home, person=sam)
    assert route.collection_id not in ("", first_id)
    assert TitleRoute.objects.get(household=home, asin=HARRY[0]).person_id == sam.pk


def test_rate_limits_and_the_schedule_are_the_connections_not_each_members(family, stack):
    _home, pat, sam, alex = family
    _sync(sam, stack)
    with pytest.raises(SyncRateLimited):  # too soon after Sam's sync of the same login
        run_sync(alex, trigger="manual")
    owner = AudibleConfig.objects.get(user=pat)
    assert owner.last_sync_at is not None
    assert owner.next_sync_at is not None
    assert AudibleConfig.objects.get(user=alex).next_sync_at is None
