"""The admin as staff use it: conflict list and page, each one-click action, mappings, logs,
history, config (never the sealed blob), books, and query counts that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.audible_sync.test_linking import audible_item
from tests.audible_sync.test_linking import conflict_for
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.presentation import candidate_view
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db

CONFLICTS = reverse("admin:audible_sync_audibleconflict_changelist")


def change_url(conflict) -> str:
    return reverse("admin:audible_sync_audibleconflict_change", args=[conflict.pk])


def resolve_url(conflict) -> str:
    return reverse("admin:audible_sync_audibleconflict_resolve", args=[conflict.pk])


def candidate(book, similarity: float, penalties: dict | None = None, reasons=None) -> dict:
    return {
        "id": book.pk,
        "title": book.title,
        "authors": book.authors,
        "distance": round(1 - similarity, 4),
        "similarity": similarity,
        "penalties": penalties or {},
        "reasons": reasons or ["title matches"],
    }


@pytest.fixture
def ranked(alice):
    """An open conflict with two candidates: a medium one (series position differs) and a
    weak one."""
    near = BookFactory(
        user=alice,
        title="The Fellowship of the Ring",
        authors=["J. R. R. Tolkien"],
        series="The Lord of the Rings",
        series_position="2",
        year=1954,
    )
    far = BookFactory(user=alice, title="The Hobbit", authors=["J. R. R. Tolkien"])
    conflict = conflict_for(alice)
    conflict.candidates = [
        candidate(
            near,
            0.86,
            {"title": 0.0, "author": 0.0, "series_position": 1.0, "year": 0.3},
            ["title matches", "series number differs: 1 vs 2"],
        ),
        candidate(far, 0.41, {"title": 0.8, "author": 0.0}, ["title differs"]),
    ]
    conflict.save()
    return conflict, near, far


def test_staff_only(client, alice):
    response = client.get(CONFLICTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_conflict_list_shows_item_best_candidate_badge_and_disagreements(admin_client, ranked):
    conflict, _, _ = ranked
    ConflictFactory(user=conflict.user, candidates=[])  # no candidate at all
    page = admin_client.get(CONFLICTS).content.decode()
    assert "The Fellowship of the Ring" in page
    assert "J. R. R. Tolkien" in page
    assert "Andy Serkis" in page  # narrator
    assert "audible-badge-amber" in page
    assert ">86 %<" in page  # one confidence format everywhere
    assert "≠ series position, year" in page
    assert "audible-badge-red" in page  # the conflict without candidates
    assert "audible_sync/admin.css" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=open", 1),
        ("status__exact=resolved", 1),
        ("status__exact=all&recommendation__exact=low", 1),
    ],
)
def test_conflict_list_filters(admin_client, alice, query, expected):
    conflict_for(alice)  # medium
    ConflictFactory(user=alice, status="resolved", resolution="ignored", recommendation="low")
    response = admin_client.get(f"{CONFLICTS}?{query}")
    assert response.context["cl"].result_count == expected


def test_conflict_page_compares_every_candidate_field_by_field(admin_client, ranked):
    conflict, near, far = ranked
    response = admin_client.get(change_url(conflict))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="audible-candidate"') == 2
    assert "series number differs: 1 vs 2" in page  # the reasons
    assert "Series position ≠" in page  # the differing row is marked
    assert f'data-book-id="{near.pk}"' in page
    assert f'data-book-id="{far.pk}"' in page
    assert "Create a new book from this item" in page
    assert "Ignore (not mine)" in page
    assert 'name="_save"' not in page  # nothing to save by hand
    candidates = response.context["candidates"]
    assert [c["tier"] for c in candidates] == ["medium", "low"]
    near_rows = {row.label: row for row in candidates[0]["rows"]}
    assert near_rows["Series position"].audible == "1"
    assert near_rows["Series position"].book == "2"
    assert near_rows["Series position"].differs
    assert not near_rows["Title"].differs


def test_link_to_this_candidate(admin_client, admin_user, ranked):
    conflict, near, _ = ranked
    response = admin_client.post(resolve_url(conflict), {"action": "link", "book_id": near.pk})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution) == ("resolved", "linked")
    assert conflict.resolved_by == admin_user
    mapping = AudibleBookMapping.objects.get(asin=conflict.asin)
    assert mapping.book == near
    assert mapping.user == conflict.user  # the owner's mapping, whoever clicked
    near.refresh_from_db()
    assert near.progress_percent == 40.0
    assert near.status == "reading"
    followed = admin_client.get(response["Location"], follow=True)
    assert "Linked to" in followed.content.decode()


def test_after_resolving_the_next_open_conflict_opens(admin_client, ranked):
    conflict, near, _ = ranked
    following = ConflictFactory(user=conflict.user)
    response = admin_client.post(resolve_url(conflict), {"action": "link", "book_id": near.pk})
    assert response["Location"] == change_url(following)


def test_search_and_link_another_book(admin_client, ranked):
    conflict, _, _ = ranked
    other = BookFactory(user=conflict.user, title="Fellowship omnibus edition")
    BookFactory(title="Fellowship of someone else")  # another person's book never shows
    response = admin_client.get(change_url(conflict) + "?q=fellowship")
    results = response.context["search_results"]
    assert other in results
    assert all(book.user_id == conflict.user_id for book in results)
    assert f'data-book-id="{other.pk}"' in response.content.decode()
    admin_client.post(resolve_url(conflict), {"action": "link", "book_id": other.pk})
    assert AudibleBookMapping.objects.get(asin=conflict.asin).book == other


def test_create_a_new_book(admin_client, ranked):
    conflict, _, _ = ranked
    admin_client.post(resolve_url(conflict), {"action": "create"})
    conflict.refresh_from_db()
    assert conflict.resolution == "created"
    assert conflict.resolved_book.source == "audible"
    assert conflict.resolved_book.user == conflict.user


def test_ignore(admin_client, ranked):
    conflict, _, _ = ranked
    admin_client.post(resolve_url(conflict), {"action": "ignore"})
    assert AudibleBookMapping.objects.get(asin=conflict.asin).ignored


def test_resolved_conflict_offers_no_actions_and_refuses_another(admin_client, ranked):
    conflict, near, _ = ranked
    admin_client.post(resolve_url(conflict), {"action": "ignore"})
    page = admin_client.get(change_url(conflict)).content.decode()
    assert "Resolved:" in page
    assert "Link to this candidate" not in page
    response = admin_client.post(
        resolve_url(conflict), {"action": "link", "book_id": near.pk}, follow=True
    )
    assert "already resolved" in response.content.decode()
    assert not AudibleBookMapping.objects.filter(book=near).exists()


def test_linking_a_book_of_another_person_is_refused(admin_client, ranked, bob):
    conflict, _, _ = ranked
    theirs = BookFactory(user=bob)
    response = admin_client.post(
        resolve_url(conflict), {"action": "link", "book_id": theirs.pk}, follow=True
    )
    assert "You have no book with this id." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "open"


def test_resolve_needs_post(admin_client, ranked):
    conflict, _, _ = ranked
    assert admin_client.get(resolve_url(conflict)).status_code == 405


def test_bulk_link_best_candidates_refuses_weak_ones(admin_client, alice):
    strong_book = BookFactory(user=alice)
    weak_book = BookFactory(user=alice)
    strong = ConflictFactory(
        user=alice, candidates=[candidate(strong_book, 0.95)], recommendation="medium"
    )
    weak = ConflictFactory(user=alice, candidates=[candidate(weak_book, 0.5)], recommendation="low")
    response = admin_client.post(
        CONFLICTS,
        {"action": "link_best_candidates", "_selected_action": [strong.pk, weak.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Linked 1 conflict(s)" in page
    assert "Left 1 conflict(s) open" in page
    strong.refresh_from_db()
    weak.refresh_from_db()
    assert (strong.status, weak.status) == ("resolved", "open")


@pytest.mark.parametrize(
    ("stored", "conflict_rec"),
    [
        pytest.param({"recommendation": "low"}, "low", id="tier-stored-by-the-matcher"),
        pytest.param({}, "medium", id="older-candidate-without-a-stored-tier"),
        pytest.param(
            {"recommendation": "medium"}, "low", id="conflict-stored-low-candidate-medium"
        ),
        pytest.param({"recommendation": "medium"}, "none", id="conflict-stored-none"),
    ],
)
def test_bulk_link_refuses_a_candidate_the_matcher_capped(
    admin_client, alice, stored, conflict_rec
):
    """An omnibus at distance 0.1 scores like a medium match, but the matcher caps it at low:
    the bulk action must not link it, whatever its score."""
    book = BookFactory(user=alice)
    capped = {**candidate(book, 0.9, {"title": 0.0, "omnibus": 1.0}), **stored}
    conflict = ConflictFactory(user=alice, candidates=[capped], recommendation=conflict_rec)
    response = admin_client.post(
        CONFLICTS,
        {"action": "link_best_candidates", "_selected_action": [conflict.pk]},
        follow=True,
    )
    assert "Left 1 conflict(s) open" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "open"


def test_bulk_ignore(admin_client, alice):
    conflicts = [ConflictFactory(user=alice) for _ in range(2)]
    admin_client.post(
        CONFLICTS,
        {"action": "ignore_selected", "_selected_action": [c.pk for c in conflicts]},
    )
    assert AudibleConflict.objects.filter(status="open").count() == 0
    assert AudibleBookMapping.objects.filter(ignored=True).count() == 2


def test_no_adding_conflicts_by_hand(admin_client):
    assert admin_client.get(reverse("admin:audible_sync_audibleconflict_add")).status_code == 403


# --- mappings ----------------------------------------------------------------------------------


def test_mapping_list_and_page(admin_client, alice):
    book = BookFactory(user=alice, title="Linked book")
    mapping = MappingFactory(user=alice, book=book, item=audible_item("B0MAP00001"))
    listing = admin_client.get(reverse("admin:audible_sync_audiblebookmapping_changelist"))
    assert "Linked book" in listing.content.decode()
    page = admin_client.get(
        reverse("admin:audible_sync_audiblebookmapping_change", args=[mapping.pk]) + "?q=linked"
    )
    assert book in page.context["search_results"]
    assert "Relink to another book" in page.content.decode()


def test_mapping_relink_and_ignore(admin_client, alice):
    old = BookFactory(user=alice)
    new = BookFactory(user=alice)
    mapping = MappingFactory(user=alice, book=old, item=audible_item("B0MAP00001", percent=55.0))
    relink = reverse("admin:audible_sync_audiblebookmapping_relink", args=[mapping.pk])
    admin_client.post(relink, {"book_id": new.pk})
    mapping.refresh_from_db()
    assert mapping.book == new
    assert mapping.match_method == "manual"
    new.refresh_from_db()
    assert new.progress_percent == 55.0
    admin_client.post(relink, {"ignore": "1"})
    mapping.refresh_from_db()
    assert mapping.ignored
    assert mapping.book is None


def test_mapping_bulk_ignore(admin_client, alice):
    mappings = [MappingFactory(user=alice, book=BookFactory(user=alice)) for _ in range(2)]
    admin_client.post(
        reverse("admin:audible_sync_audiblebookmapping_changelist"),
        {"action": "ignore_selected", "_selected_action": [m.pk for m in mappings]},
    )
    assert AudibleBookMapping.objects.filter(ignored=True, book=None).count() == 2


# --- read-only records, config, books ----------------------------------------------------------


def test_sync_logs_are_read_only(admin_client, alice):
    log = SyncLogFactory(user=alice, status="failed", duration_ms=1500, error="gateway down")
    listing = admin_client.get(reverse("admin:audible_sync_audiblesynclog_changelist"))
    page = listing.content.decode()
    assert "audible-badge-red" in page
    assert "1.5 s" in page
    detail = admin_client.get(reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.get(reverse("admin:audible_sync_audiblesynclog_add")).status_code == 403
    admin_client.post(
        reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk]), {"error": "x"}
    )
    log.refresh_from_db()
    assert log.error == "gateway down"


def test_progress_history_is_read_only(admin_client, alice):
    book = BookFactory(user=alice, title="Heard book")
    row = HistoryFactory(
        mapping=MappingFactory(user=alice, book=book),
        previous_percent=10.0,
        percent=25.0,
        status_before="want_to_read",
        status_after="reading",
    )
    page = admin_client.get(
        reverse("admin:audible_sync_audibleprogresshistory_changelist")
    ).content.decode()
    assert "10.0 % → 25.0 %" in page
    assert "Want to read → Reading" in page
    assert "want_to_read" not in page
    detail = admin_client.get(
        reverse("admin:audible_sync_audibleprogresshistory_change", args=[row.pk])
    )
    assert 'name="_save"' not in detail.content.decode()


def test_config_never_shows_the_sealed_blob(admin_client, alice, bob):
    config = ConfigFactory(
        user=alice,
        sealed_auth="SEALED-BLOB-NEVER-SHOWN",
        sync_lock_token="LOCKTOKEN",
        next_sync_at=timezone.now() + timedelta(days=2),
    )
    ConfigFactory(user=bob, sealed_auth="")
    url = reverse("admin:audible_sync_audibleconfig_change", args=[config.pk])
    listing = admin_client.get(reverse("admin:audible_sync_audibleconfig_changelist"))
    page = admin_client.get(url)
    for response in (listing, page):
        body = response.content.decode()
        assert "SEALED-BLOB-NEVER-SHOWN" not in body
        assert "LOCKTOKEN" not in body
        assert "sealed_auth" not in body
    assert "icon-yes.svg" in page.content.decode()  # connected: yes
    assert "icon-no.svg" in listing.content.decode()  # bob: not connected
    assert "sealed_auth" not in page.context["adminform"].form.fields
    saved = admin_client.post(
        url,
        {
            "enabled": "on",
            "sync_interval_minutes": "90",
            "daily_sync_cap": "10",
            "import_policy": "started",
        },
    )
    assert saved.status_code == 302
    config.refresh_from_db()
    assert config.next_sync_at is None  # never synced: the new interval makes it due now
    assert (config.sync_interval_minutes, config.import_policy) == (90, "started")
    assert config.auto_sync is False  # unchecked box
    assert config.sealed_auth == "SEALED-BLOB-NEVER-SHOWN"


@pytest.mark.parametrize(
    ("interval", "cap", "field"),
    [("5", "10", "sync_interval_minutes"), ("20", "10", "sync_interval_minutes"),
     ("60", "49", "daily_sync_cap"), ("60", "0", "daily_sync_cap")],
)  # fmt: skip
def test_config_form_keeps_the_limits(admin_client, alice, settings, interval, cap, field):
    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 30
    config = ConfigFactory(user=alice)
    url = reverse("admin:audible_sync_audibleconfig_change", args=[config.pk])
    response = admin_client.post(
        url, {"sync_interval_minutes": interval, "daily_sync_cap": cap, "import_policy": "all"}
    )
    assert response.status_code == 200  # the form comes back with the error
    assert field in response.context["adminform"].form.errors


def test_books_admin(admin_client, alice):
    book = BookFactory(
        user=alice, title="Dune", authors=["Frank Herbert"], series="Dune", series_position="1"
    )
    listing = admin_client.get(reverse("admin:books_book_changelist") + "?q=dune")
    assert "Frank Herbert" in listing.content.decode()
    assert "Dune #1" in listing.content.decode()
    assert admin_client.get(reverse("admin:books_book_change", args=[book.pk])).status_code == 200


# --- query counts ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    """The queries of a warm view: the first view in a process also fills Django's per-process
    ContentType cache, an extra query only a test run alone (or first on its xdist worker) sees."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _rows(kind: str, user, count: int) -> None:
    for _ in range(count):
        book = BookFactory(user=user)
        if kind == "conflict":
            ConflictFactory(user=user, candidates=[candidate(book, 0.8)])
        elif kind == "mapping":
            MappingFactory(user=user, book=book)
        elif kind == "log":
            SyncLogFactory(user=user)
        elif kind == "history":
            HistoryFactory(mapping=MappingFactory(user=user, book=book))


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("conflict", "admin:audible_sync_audibleconflict_changelist"),
        ("mapping", "admin:audible_sync_audiblebookmapping_changelist"),
        ("log", "admin:audible_sync_audiblesynclog_changelist"),
        ("history", "admin:audible_sync_audibleprogresshistory_changelist"),
        ("book", "admin:books_book_changelist"),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, alice, bob, kind, url):
    """5 rows and 50 rows (two owners) cost the same number of queries."""
    _rows(kind, alice, 5)
    if kind == "book":
        for _ in range(5):
            BookFactory(user=alice)
    few = _queries(admin_client, reverse(url))
    _rows(kind, bob, 45)
    if kind == "book":
        for _ in range(45):
            BookFactory(user=bob)
    many = _queries(admin_client, reverse(url))
    assert many == few, f"{kind}: {few} queries for 5 rows, {many} for 50"


def test_conflict_page_queries_do_not_grow_with_candidates(admin_client, alice):
    few_books = [BookFactory(user=alice) for _ in range(2)]
    few = ConflictFactory(user=alice, candidates=[candidate(b, 0.8) for b in few_books])
    many_books = [BookFactory(user=alice) for _ in range(10)]
    many = ConflictFactory(user=alice, candidates=[candidate(b, 0.8) for b in many_books])
    assert _queries(admin_client, change_url(few)) == _queries(admin_client, change_url(many))


def test_config_queries_do_not_grow(admin_client, django_user_model):
    users = [django_user_model.objects.create(username=f"u{i}") for i in range(50)]
    for user in users[:5]:
        ConfigFactory(user=user)
    url = reverse("admin:audible_sync_audibleconfig_changelist")
    few = _queries(admin_client, url)
    for user in users[5:]:
        ConfigFactory(user=user)
    assert _queries(admin_client, url) == few
    assert Book.objects.count() == 0


def test_a_candidate_stored_without_a_tier_gets_the_matchers_capped_one(db):
    """Older conflicts stored no tier: the badge then comes from the matcher's capped_tier
    over the stored penalties, so an omnibus scoring 0.9 still shows (and counts) as low."""
    book = BookFactory()
    stored = candidate(book, 0.9, {"title": 0.0, "omnibus": 1.0})
    assert candidate_view(stored)["tier"] == "low"
    assert candidate_view({**stored, "penalties": {"title": 0.0}})["tier"] == "medium"
