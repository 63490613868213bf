"""Strict request bodies: a misspelt or read-only key is a 400 naming it, a body that is not
JSON a 415, on every write endpoint, and nothing is changed by the refused request."""

from __future__ import annotations

import pytest

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db

# (method, path, a valid body, a read-only key of it or None)
WRITES = [
    ("patch", "/api/audible/config", {"auto_sync": False}, "connected"),
    ("put", "/api/audible/config", {"auto_sync": False}, "last_sync_at"),
    ("post", "/api/books", {"title": "T"}, "source"),
    ("patch", "/api/books/{book}", {"title": "T"}, "id"),
    ("put", "/api/books/{book}", {"title": "T"}, "created_at"),
    ("post", "/api/audible/link", {"asin": "B0X", "ignore": True}, None),
    ("post", "/api/audible/conflicts/{conflict}/resolve", {"action": "ignore"}, None),
    ("post", "/api/audible/sync", {"dry_run": True}, None),
    ("post", "/api/audible/auth", {"method": "external", "locale": "us"}, None),
]


@pytest.fixture
def targets(alice):
    ConfigFactory(user=alice)
    return {
        "book": BookFactory(user=alice, title="Kept").pk,
        "conflict": ConflictFactory(user=alice).pk,
    }


def _unchanged(alice, book_id):
    assert Book.objects.get(pk=book_id).title == "Kept"
    config = AudibleConfig.objects.get(user=alice)
    assert config.auto_sync is True
    assert config.sync_interval_minutes != 5


@pytest.mark.parametrize(("method", "path", "body", "read_only"), WRITES)
def test_an_unknown_key_is_a_400_naming_it(api, alice, targets, method, path, body, read_only):
    url = path.format(**targets)
    response = getattr(api, method)(url, {**body, "sync_intervall_minutes": 5}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unknown_field"
    assert error["fields"] == {"sync_intervall_minutes": ["Unknown field."]}
    assert "sync_intervall_minutes" in error["message"]
    _unchanged(alice, targets["book"])


@pytest.mark.parametrize(
    ("method", "path", "body", "read_only"), [w for w in WRITES if w[3] is not None]
)
def test_a_read_only_key_is_a_400_naming_it(api, alice, targets, method, path, body, read_only):
    response = getattr(api, method)(
        path.format(**targets), {**body, read_only: None}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "read_only_field"
    assert error["fields"] == {read_only: ["This field is read-only."]}
    assert read_only in error["message"]
    _unchanged(alice, targets["book"])


def test_unknown_and_read_only_keys_are_all_named_unknown_first(api, targets):
    response = api.patch(
        "/api/audible/config", {"connected": False, "enabld": True, "auto_sync": False}
    )
    error = response.json()["error"]
    assert error["code"] == "unknown_field"
    assert error["fields"] == {
        "connected": ["This field is read-only."],
        "enabld": ["Unknown field."],
    }


def test_a_body_of_many_unknown_keys_names_a_bounded_number(api, targets):
    response = api.post("/api/books", {f"k{i}": i for i in range(5000)}, format="json")
    assert response.status_code == 400
    assert len(response.json()["error"]["fields"]) == 20
    assert len(response.content) < 2000


@pytest.mark.parametrize("content_type", ["", "application/x-www-form-urlencoded", "text/plain"])
@pytest.mark.parametrize(("method", "path", "body", "read_only"), WRITES)
def test_a_body_without_a_json_content_type_is_a_415(
    api, alice, targets, method, path, body, read_only, content_type
):
    response = api.generic(
        method.upper(),
        path.format(**targets),
        b'{"title": "x", "auto_sync": false}',
        content_type=content_type,
    )
    assert response.status_code == 415, response.content
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"]
    _unchanged(alice, targets["book"])


def test_valid_bodies_still_work(api, alice, targets):
    assert api.patch("/api/audible/config", {"auto_sync": False}).status_code == 200
    assert AudibleConfig.objects.get(user=alice).auto_sync is False
    assert api.patch(f"/api/books/{targets['book']}", {"title": "New"}).status_code == 200
    assert api.post("/api/audible/sync", {"dry_run": True}).status_code != 400


def test_the_schema_says_request_bodies_take_no_other_key(anon):
    schemas = anon.get("/api/schema?format=json").json()["components"]["schemas"]
    requests = [name for name in schemas if name.endswith("Request")]
    assert {"PatchedConfigRequest", "BookRequest", "LinkRequestRequest"} <= set(requests)
    for name in requests:
        assert schemas[name]["additionalProperties"] is False, name
