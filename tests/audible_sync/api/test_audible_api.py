"""``/api/audible/{config,status,link,conflicts}``: success, validation, scoping, anonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.audible_sync.test_linking import audible_item
from tests.audible_sync.test_linking import conflict_for
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/audible/config"),
    ("put", "/api/audible/config"),
    ("patch", "/api/audible/config"),
    ("get", "/api/audible/status"),
    ("post", "/api/audible/link"),
    ("get", "/api/audible/conflicts"),
    ("get", "/api/audible/conflicts/1"),
    ("post", "/api/audible/conflicts/1/resolve"),
    ("post", "/api/audible/auth"),
]


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]["code"]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_401_in_the_error_shape(anon, method, path):
    response = getattr(anon, method)(path, {}, format="json")
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_paths_have_no_trailing_slash(api):
    assert api.get("/api/audible/status/").status_code == 404
    assert api.get("/api/audible/status").status_code == 200


def test_session_auth_works_too(client, alice):
    client.force_login(alice)
    assert client.get("/api/audible/status").status_code == 200


# --- config ------------------------------------------------------------------------------------


def test_config_defaults_before_anything_is_saved(api, alice):
    body = api.get("/api/audible/config").json()
    assert body["connected"] is False
    assert body["sync_interval_minutes"] == 60
    assert body["daily_sync_cap"] == 24
    assert body["import_policy"] == "all"
    assert not AudibleConfig.objects.filter(user=alice).exists()  # a GET writes nothing


def test_config_never_shows_the_sealed_blob(api, alice):
    ConfigFactory(user=alice, sealed_auth="SEALED-SECRET-BLOB")
    response = api.get("/api/audible/config")
    assert response.json()["connected"] is True
    assert b"SEALED-SECRET-BLOB" not in response.content
    assert "sealed_auth" not in response.json()


def test_config_put_and_patch(api, alice):
    ConfigFactory(user=alice)
    put = api.put(
        "/api/audible/config",
        {
            "enabled": True,
            "auto_sync": False,
            "sync_interval_minutes": 120,
            "daily_sync_cap": 6,
            "import_policy": "finished",
            "import_podcasts": True,
        },
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert put.json()["import_policy"] == "finished"
    patched = api.patch("/api/audible/config", {"daily_sync_cap": 3}, format="json")
    assert patched.json()["daily_sync_cap"] == 3
    config = AudibleConfig.objects.get(user=alice)
    assert (config.auto_sync, config.sync_interval_minutes, config.daily_sync_cap) == (
        False,
        120,
        3,
    )
    assert config.import_podcasts is True


def test_config_read_only_fields_are_ignored(api, alice):
    ConfigFactory(user=alice, sealed_auth="")
    api.patch(
        "/api/audible/config",
        {"connected": True, "needs_relogin": True, "sealed_auth": "forged", "account": {"x": 1}},
        format="json",
    )
    config = AudibleConfig.objects.get(user=alice)
    assert config.sealed_auth == ""
    assert config.needs_relogin is False
    assert "x" not in config.account


def test_shorter_interval_brings_the_next_scheduled_sync_forward(api, alice):
    config = ConfigFactory(
        user=alice, sync_interval_minutes=1440, next_sync_at=timezone.now() + timedelta(days=1)
    )
    SyncLogFactory(user=alice, started_at=timezone.now() - timedelta(minutes=50))
    body = api.patch("/api/audible/config", {"sync_interval_minutes": 60}, format="json").json()
    config.refresh_from_db()
    assert config.next_sync_at < timezone.now() + timedelta(minutes=11)
    assert body["next_sync_at"] is not None
    api.patch("/api/audible/config", {"import_policy": "started"}, format="json")
    config.refresh_from_db()
    assert config.next_sync_at < timezone.now() + timedelta(minutes=11)  # untouched


def test_config_patch_creates_the_row(api, alice):
    assert api.patch("/api/audible/config", {"auto_sync": False}, format="json").status_code == 200
    assert AudibleConfig.objects.get(user=alice).auto_sync is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sync_interval_minutes", 14),
        ("sync_interval_minutes", 7 * 24 * 60 + 1),
        ("daily_sync_cap", 0),
        ("daily_sync_cap", 49),
        ("import_policy", "some"),
        ("enabled", "perhaps"),
    ],
)
def test_config_validation(api, alice, field, value):
    response = api.patch("/api/audible/config", {field: value}, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["fields"]


def test_interval_floor_follows_the_environment(api, settings):
    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 30
    response = api.patch("/api/audible/config", {"sync_interval_minutes": 20}, format="json")
    assert response.json()["error"]["fields"]["sync_interval_minutes"] == [
        "Must be at least 30 minutes."
    ]


def test_config_is_per_person(api, bob_api, alice, bob):
    api.patch("/api/audible/config", {"daily_sync_cap": 2}, format="json")
    assert bob_api.get("/api/audible/config").json()["daily_sync_cap"] == 24


# --- status ------------------------------------------------------------------------------------


def test_status_of_a_fresh_account(api):
    body = api.get("/api/audible/status").json()
    assert body["connection"]["state"] == "not_connected"
    assert body["last_sync"] is None
    assert body["sync_running"] is False
    assert body["rate_limit"]["allowed"] is True
    assert body["stats"] == {
        "mapped": 0,
        "ignored": 0,
        "not_in_library": 0,
        "open_conflicts": 0,
        "reading": 0,
        "finished": 0,
    }


def test_status_reports_everything(api, alice, bob):
    ConfigFactory(user=alice, needs_relogin=True, daily_sync_cap=5)
    started = timezone.now() - timedelta(minutes=5)
    SyncLogFactory(
        user=alice,
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        duration_ms=3000,
        items_seen=12,
        updated=2,
        conflicts_opened=1,
    )
    reading = BookFactory(user=alice, status="reading")
    read = BookFactory(user=alice, status="read")
    MappingFactory(user=alice, book=reading)
    MappingFactory(user=alice, book=read, in_library=False)
    MappingFactory(user=alice, ignored=True)
    ConflictFactory(user=alice)
    ConflictFactory(user=alice, status="resolved", resolution="ignored")
    MappingFactory(user=bob, book=BookFactory(user=bob, status="reading"))
    ConflictFactory(user=bob)

    body = api.get("/api/audible/status").json()
    assert body["connection"]["state"] == "needs_relogin"
    assert body["connection"]["account"]["locale"] == "us"
    assert body["last_sync"]["status"] == "ok"
    assert body["last_sync"]["counts"]["items_seen"] == 12
    assert body["last_sync"]["duration_ms"] == 3000
    assert body["rate_limit"]["allowed"] is False
    assert body["rate_limit"]["reason"] == "interval"
    assert body["rate_limit"]["next_allowed_at"] is not None
    assert body["rate_limit"]["syncs_last_24h"] == 1
    assert body["rate_limit"]["next_scheduled_at"] is None  # needs a re-login first
    assert body["stats"] == {
        "mapped": 2,
        "ignored": 1,
        "not_in_library": 1,
        "open_conflicts": 1,
        "reading": 1,
        "finished": 1,
    }


def test_status_shows_a_running_sync(api, alice):
    ConfigFactory(user=alice, sync_lock_token="abc", sync_locked_at=timezone.now())
    assert api.get("/api/audible/status").json()["sync_running"] is True


def test_a_long_dead_running_log_is_not_running(api, alice):
    ConfigFactory(user=alice)
    SyncLogFactory(user=alice, status="running", started_at=timezone.now() - timedelta(days=1))
    assert api.get("/api/audible/status").json()["sync_running"] is False


# --- link --------------------------------------------------------------------------------------


def test_link_to_a_book(api, alice):
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)
    response = api.post("/api/audible/link", {"asin": "B0FELLOW01", "book_id": book.pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["mapping"]["book_id"] == book.pk
    assert body["book"]["status"] == "reading"
    assert body["book"]["progress_percent"] == 40.0
    assert body["progress_applied"] is True
    assert body["resolved_conflict"]["id"] == conflict.pk
    assert body["resolved_conflict"]["resolved_by"] == "alice"


def test_link_create_and_ignore(api, alice):
    conflict_for(alice)
    created = api.post("/api/audible/link", {"asin": "B0FELLOW01", "create": True}, format="json")
    assert created.status_code == 200
    assert created.json()["created_book"] is True
    assert Book.objects.get(user=alice).title == "The Fellowship of the Ring"

    ignored = api.post("/api/audible/link", {"asin": "B0FELLOW01", "ignore": True}, format="json")
    assert ignored.json()["mapping"]["ignored"] is True
    assert ignored.json()["book"] is None
    assert ignored.json()["resolved_conflict"] is None  # already resolved by the create


@pytest.mark.parametrize(
    "body",
    [
        {"asin": "B0FELLOW01"},
        {"asin": "B0FELLOW01", "book_id": 1, "ignore": True},
        {"asin": "B0FELLOW01", "create": True, "ignore": True},
        {"asin": "B0FELLOW01", "create": False},
        {"book_id": 1},
        {"asin": "B0FELLOW01", "book_id": "x"},
    ],
)
def test_link_validation(api, body):
    response = api.post("/api/audible/link", body, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_link_bad_asin(api, alice):
    book = BookFactory(user=alice)
    response = api.post("/api/audible/link", {"asin": "B0 12", "book_id": book.pk})
    assert response.status_code == 400
    assert error_code(response) == "invalid_asin"


def test_link_to_another_persons_book_is_404(api, bob):
    theirs = BookFactory(user=bob)
    response = api.post("/api/audible/link", {"asin": "B0FELLOW01", "book_id": theirs.pk})
    assert response.status_code == 404
    assert error_code(response) == "book_not_found"
    assert not AudibleBookMapping.objects.exists()


def test_create_for_an_unseen_asin_is_404(api):
    response = api.post("/api/audible/link", {"asin": "B0NOTSEEN1", "create": True}, format="json")
    assert response.status_code == 404
    assert error_code(response) == "asin_not_found"


def test_create_does_not_use_another_persons_item(api, bob):
    conflict_for(bob)
    response = api.post("/api/audible/link", {"asin": "B0FELLOW01", "create": True}, format="json")
    assert response.status_code == 404


# --- conflicts ---------------------------------------------------------------------------------


def test_conflict_list_open_by_default_with_candidates(api, alice, bob):
    book = BookFactory(user=alice)
    open_one = conflict_for(alice, book)
    ConflictFactory(user=alice, status="resolved", resolution="ignored")
    conflict_for(bob)
    body = api.get("/api/audible/conflicts").json()
    assert body["count"] == 1
    assert set(body) == {"count", "next", "previous", "results"}
    conflict = body["results"][0]
    assert conflict["id"] == open_one.pk
    assert conflict["item"]["title"] == "The Fellowship of the Ring"
    candidate = conflict["candidates"][0]
    assert candidate["book_id"] == book.pk
    assert candidate["similarity"] == 0.85
    assert candidate["tier"] == "medium"
    assert candidate["reasons"] == ["title is similar (90%)"]
    assert candidate["differs"] == ["title"]


@pytest.mark.parametrize(("wanted", "count"), [("open", 1), ("resolved", 1), ("all", 2)])
def test_conflict_list_status_filter(api, alice, wanted, count):
    conflict_for(alice)
    ConflictFactory(user=alice, status="resolved", resolution="ignored")
    assert api.get(f"/api/audible/conflicts?status={wanted}").json()["count"] == count


def test_conflict_list_bad_filter(api):
    response = api.get("/api/audible/conflicts?status=closed")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_conflict_list_pages(api, alice):
    for _ in range(3):
        ConflictFactory(user=alice)
    body = api.get("/api/audible/conflicts?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    assert api.get("/api/audible/conflicts?page=9").status_code == 404


def test_conflict_detail_and_scoping(api, alice, bob):
    mine = conflict_for(alice)
    theirs = ConflictFactory(user=bob)
    assert api.get(f"/api/audible/conflicts/{mine.pk}").json()["asin"] == "B0FELLOW01"
    response = api.get(f"/api/audible/conflicts/{theirs.pk}")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_resolve_link_a_candidate(api, alice):
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)
    response = api.post(
        f"/api/audible/conflicts/{conflict.pk}/resolve",
        {"action": "link", "book_id": book.pk},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["resolved_conflict"]["status"] == "resolved"
    assert body["resolved_conflict"]["resolution"] == "linked"
    assert body["resolved_conflict"]["resolved_book_id"] == book.pk
    assert body["resolved_conflict"]["resolved_at"] is not None
    assert body["mapping"]["confidence"] == 0.85
    assert body["book"]["progress_percent"] == 40.0


def test_resolve_create_then_again_is_409(api, alice):
    conflict = conflict_for(alice, percent=100.0, finished=True)
    url = f"/api/audible/conflicts/{conflict.pk}/resolve"
    first = api.post(url, {"action": "create"}, format="json")
    assert first.json()["book"]["status"] == "read"
    again = api.post(url, {"action": "ignore"}, format="json")
    assert again.status_code == 409
    assert error_code(again) == "conflict_already_resolved"


def test_resolve_ignore(api, alice):
    conflict = conflict_for(alice)
    body = api.post(
        f"/api/audible/conflicts/{conflict.pk}/resolve", {"action": "ignore"}, format="json"
    ).json()
    assert body["mapping"]["ignored"] is True
    assert body["resolved_conflict"]["resolution"] == "ignored"


@pytest.mark.parametrize("body", [{}, {"action": "merge"}, {"action": "link"}])
def test_resolve_validation(api, alice, body):
    conflict = conflict_for(alice)
    response = api.post(f"/api/audible/conflicts/{conflict.pk}/resolve", body, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_resolve_someone_elses_conflict_or_book_is_404(api, alice, bob):
    theirs = conflict_for(bob)
    response = api.post(
        f"/api/audible/conflicts/{theirs.pk}/resolve", {"action": "ignore"}, format="json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"
    mine = conflict_for(alice, asin="B0MINE0001")
    response = api.post(
        f"/api/audible/conflicts/{mine.pk}/resolve",
        {"action": "link", "book_id": BookFactory(user=bob).pk},
        format="json",
    )
    assert response.status_code == 404
    assert error_code(response) == "book_not_found"


def test_bob_cannot_see_alices_conflicts(alice, bob):
    conflict_for(alice)
    assert token_client(bob).get("/api/audible/conflicts").json()["count"] == 0


def test_mapping_item_used_for_create_has_progress_applied(api, alice):
    MappingFactory(user=alice, asin="B0MAPPED01", item=audible_item("B0MAPPED01", percent=12.5))
    body = api.post(
        "/api/audible/link", {"asin": "B0MAPPED01", "create": True}, format="json"
    ).json()
    assert body["book"]["progress_percent"] == 12.5
