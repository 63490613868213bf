"""Moving the progress already written when a title is reassigned (``households.reassign``).

The household of ``test_household_sync`` (Pat owns the login, Sam and Alex joined) on the real
gateway and sandbox: Sam listens to the third Harry Potter while it is in Sam's collection; it
is then moved to Alex's collection, so its future progress goes to Alex. Sam (or Pat) may then
move what was written for Sam: copied to Alex's book, reverted from Sam's with the undo log, or
kept for Sam when the log refuses. Plain function calls, no HTTP.
"""

# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.households.test_household_sync import HARRY
from tests.households.test_household_sync import _sync
from tests.households.test_household_sync import family  # noqa: F401 - fixture
from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.core.roles import PERSON_GROUP
from tracker_api.households import reassign
from tracker_api.households.membership import HouseholdError
from tracker_api.households.models import ProgressMove
from tracker_api.households.models import TitleRoute

TITLE = HARRY[2]
PAGE = "/admin/households/household/"


def _history(user) -> list[tuple[float, bool]]:
    rows = AudibleProgressHistory.objects.filter(user=user, asin=TITLE).order_by("recorded_at")
    return list(rows.values_list("percent", "is_finished"))


def _reads(user) -> list[tuple[str, float]]:
    rows = BookRead.objects.filter(book__user=user, book__audible_mappings__asin=TITLE)
    return sorted(rows.values_list("status", "percent"))


@pytest.fixture
def reassigned(family, stack):
    """Sam heard 30 % of the title in Sam's collection; it is now in Alex's, at 42 %."""
    home, pat, sam, alex = family
    stack.state.update_progress(TITLE, percent=30.0)
    _sync(pat, stack)
    assert _reads(sam) == [("reading", 30.0)]
    assert _history(sam) == [(30.0, False)]
    stack.state.collections.move(TITLE, "Alex")
    stack.state.update_progress(TITLE, percent=42.0)
    _sync(pat, stack)
    route = TitleRoute.objects.get(household=home, asin=TITLE)
    assert (route.person_id, route.previous_person_id) == (alex.pk, sam.pk)
    assert AudibleBookMapping.objects.get(user=alex, asin=TITLE).book_id is not None
    assert _reads(alex) == [("reading", 42.0)]
    return home, pat, sam, alex


def test_the_person_who_lost_a_title_moves_what_was_written_to_its_new_person(
    reassigned, django_assert_max_num_queries
):
    home, pat, sam, alex = reassigned
    with django_assert_max_num_queries(6):  # whatever the number of reassigned titles
        reassign.offers(home, pat.pk)
    assert [o.route.asin for o in reassign.offers(home, sam.pk)] == [TITLE]
    assert [o.route.asin for o in reassign.offers(home, pat.pk)] == [TITLE]  # the owner sees all
    assert reassign.offers(home, alex.pk) == []  # Alex lost nothing
    with pytest.raises(HouseholdError) as refused:
        reassign.move_progress(home, TITLE, by=alex)
    assert (refused.value.code, refused.value.status) == ("household_not_owner", 403)
    sam_book = AudibleBookMapping.objects.get(user=sam, asin=TITLE).book_id

    move = reassign.move_progress(home, TITLE, by=sam)

    assert (move.outcome, move.from_person_id, move.to_person_id) == ("moved", sam.pk, alex.pk)
    assert "sam moved the progress of" in move.why
    assert 'in the collection "Alex"' in move.why
    assert move.history_copied == 1
    # Alex's tracker has Sam's history; the reading on Alex's book is the one open read
    assert sorted(_history(alex)) == [(30.0, False), (42.0, False)]
    assert _reads(alex) == [("reading", 42.0)]
    # Sam's side is reverted with the undo log: the book the sync created for Sam is gone,
    # with its read and history; the mapping stays (the title simply is not Sam's)
    assert not Book.objects.filter(pk=sam_book).exists()
    assert _history(sam) == []
    assert AudibleBookMapping.objects.get(user=sam, asin=TITLE).book_id is None
    assert (move.written.kind, move.written.user_id) == ("link", alex.pk)
    assert (move.reverted.kind, move.reverted.user_id) == ("revert_link", sam.pk)
    assert ChangeSet.objects.filter(user=sam, kind="revert_link").count() == 1
    # Offered once: it is done
    assert reassign.offers(home, sam.pk) == []
    with pytest.raises(HouseholdError) as again:
        reassign.move_progress(home, TITLE, by=sam)
    assert again.value.code == "household_nothing_to_move"
    assert ProgressMove.objects.count() == 1


def test_rows_the_undo_log_cannot_revert_are_copied_and_kept(reassigned):
    _home, pat, sam, alex = reassigned
    read = BookRead.objects.get(book__user=sam)
    read.percent = 35.0  # Sam corrected the read by hand since the sync wrote it
    read.save()
    pat.is_staff = True  # the owner presses the offer's button on the admin page
    pat.save()
    pat.groups.add(Group.objects.get(name=PERSON_GROUP))
    page = Client()
    page.force_login(pat)
    done = page.post(PAGE, {"action": "move_progress", "asin": TITLE}, follow=True)
    said = done.content.decode().replace("&#x27;", "'")
    assert "The progress is copied to the new person and kept here too: " in said
    assert "cannot be undone" in said  # the undo log's own sentence says why
    move = ProgressMove.objects.get()
    assert move.outcome == "copied"
    assert "Kept for sam:" in move.why
    assert move.reverted is None
    assert _reads(sam) == [("reading", 35.0)]  # nothing of Sam's was lost
    assert _history(sam) == [(30.0, False)]
    assert sorted(_history(alex)) == [(30.0, False), (42.0, False)]
    assert move.by_id == pat.pk


def test_no_move_while_the_household_syncs_or_for_a_title_that_never_moved(reassigned):
    home, pat, sam, _alex = reassigned
    with pytest.raises(HouseholdError) as never:
        reassign.move_progress(home, HARRY[0], by=sam)
    assert never.value.code == "household_nothing_to_move"
    connection = AudibleConfig.objects.get(user=pat)
    token = lock.acquire(connection.pk)
    try:
        with pytest.raises(HouseholdError) as busy:
            reassign.move_progress(home, TITLE, by=sam)
        assert busy.value.code == "household_sync_running"
    finally:
        lock.release(connection.pk, token)
    assert _history(sam) == [(30.0, False)]  # refused: nothing touched
    assert not ProgressMove.objects.exists()


def test_the_offer_and_the_move_over_rest_and_on_the_admin_page(reassigned):
    _home, _pat, sam, alex = reassigned
    api = token_client(sam)
    offered = api.get("/api/household/moves").json()
    assert [(o["asin"], o["from_person"], o["to_person"]) for o in offered] == [
        (TITLE, sam.pk, alex.pk)
    ]
    assert (offered[0]["reads"], offered[0]["history"], offered[0]["ready"]) == (1, 1, True)
    assert token_client(alex).get("/api/household/moves").json() == []
    answer = token_client(alex).post("/api/household/moves", {"asin": TITLE}, format="json")
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "household_not_owner")
    answer = api.post("/api/household/moves", {"asin": TITLE, "also": 1}, format="json")
    assert answer.status_code == 400  # the one error shape for a body it does not know
    assert "code" in answer.json()["error"]

    # On the admin page Sam sees the offer with the title by name, and presses its button.
    sam.is_staff = True
    sam.save()
    sam.groups.add(Group.objects.get(name=PERSON_GROUP))
    page = Client()
    page.force_login(sam)
    shown = page.get(PAGE).content.decode()
    title = AudibleBookMapping.objects.get(user=sam, asin=TITLE).item["title"]
    assert "Progress written before a title changed person" in shown
    assert f"<strong>{title}</strong>: now alex" in shown
    done = page.post(PAGE, {"action": "move_progress", "asin": TITLE}, follow=True)
    assert "The progress is moved" in done.content.decode()
    assert ProgressMove.objects.get().outcome == "moved"
    assert "Progress written before" not in page.get(PAGE).content.decode()
    assert api.get("/api/household/moves").json() == []
    again = api.post("/api/household/moves", {"asin": TITLE}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "household_nothing_to_move")
