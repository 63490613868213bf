"""The OpenAPI schema tells the truth about the Audible endpoints: real answers (success and
errors) validate against it with undeclared keys forbidden."""

from __future__ import annotations

import pytest

from tests.audible_sync.api.test_audible_api_auth import browser_landing
from tests.audible_sync.test_linking import conflict_for
from tests.core.test_schema import assert_conforms
from tests.core.test_schema import schema  # noqa: F401 - fixture
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory

pytestmark = pytest.mark.django_db


def test_schema_lists_every_audible_endpoint(schema):  # noqa: F811
    paths = schema["paths"]
    assert set(paths["/api/audible/config"]) >= {"get", "put", "patch"}
    for path, method in [
        ("/api/audible/auth", "post"),
        ("/api/audible/status", "get"),
        ("/api/audible/link", "post"),
        ("/api/audible/conflicts", "get"),
        ("/api/audible/conflicts/{id}", "get"),
        ("/api/audible/conflicts/{id}/resolve", "post"),
    ]:
        assert method in paths[path], path
    status_schema = schema["components"]["schemas"]["Config"]["properties"]
    assert "sealed_auth" not in status_schema


def test_config_and_status_match(schema, api, anon, alice):  # noqa: F811
    assert_conforms(schema, "/api/audible/config", "get", api.get("/api/audible/config"))
    assert_conforms(schema, "/api/audible/status", "get", api.get("/api/audible/status"))
    ConfigFactory(user=alice)
    SyncLogFactory(user=alice, finished_at=None, duration_ms=None)
    MappingFactory(user=alice, book=BookFactory(user=alice, status="reading"))
    assert_conforms(schema, "/api/audible/status", "get", api.get("/api/audible/status"))
    assert_conforms(schema, "/api/audible/status", "get", anon.get("/api/audible/status"))
    for method in ("put", "patch"):
        ok = getattr(api, method)("/api/audible/config", {"daily_sync_cap": 4}, format="json")
        assert_conforms(schema, "/api/audible/config", method, ok)
        bad = getattr(api, method)("/api/audible/config", {"daily_sync_cap": 0}, format="json")
        assert_conforms(schema, "/api/audible/config", method, bad)


def test_conflicts_match(schema, api, alice, bob):  # noqa: F811
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)
    ConflictFactory(user=alice, status="resolved", resolution="ignored", resolved_by=alice)
    listed = api.get("/api/audible/conflicts?status=all")
    assert listed.json()["count"] == 2
    assert_conforms(schema, "/api/audible/conflicts", "get", listed)
    assert_conforms(
        schema, "/api/audible/conflicts", "get", api.get("/api/audible/conflicts?status=x")
    )
    assert_conforms(
        schema, "/api/audible/conflicts", "get", api.get("/api/audible/conflicts?page=5")
    )
    detail = "/api/audible/conflicts/{id}"
    assert_conforms(schema, detail, "get", api.get(f"/api/audible/conflicts/{conflict.pk}"))
    theirs = ConflictFactory(user=bob)
    assert_conforms(schema, detail, "get", api.get(f"/api/audible/conflicts/{theirs.pk}"))

    resolve = "/api/audible/conflicts/{id}/resolve"
    url = f"/api/audible/conflicts/{conflict.pk}/resolve"
    bad = api.post(url, {"action": "link"}, format="json")
    assert_conforms(schema, resolve, "post", bad)
    done = api.post(url, {"action": "link", "book_id": book.pk}, format="json")
    assert done.status_code == 200
    assert_conforms(schema, resolve, "post", done)
    assert_conforms(schema, resolve, "post", api.post(url, {"action": "ignore"}, format="json"))
    missing = api.post("/api/audible/conflicts/999999/resolve", {"action": "ignore"})
    assert_conforms(schema, resolve, "post", missing)


def test_link_matches(schema, api, alice):  # noqa: F811
    conflict_for(alice)
    for body in (
        {"asin": "B0FELLOW01", "create": True},
        {"asin": "B0FELLOW01", "ignore": True},
        {"asin": "B0FELLOW01"},
        {"asin": "B0FELLOW01", "book_id": 999999},
    ):
        response = api.post("/api/audible/link", body, format="json")
        assert_conforms(schema, "/api/audible/link", "post", response)


def test_auth_matches_against_the_real_gateway(schema, wired, api):  # noqa: F811
    start = api.post("/api/audible/auth", {"method": "external", "locale": "us"})
    assert_conforms(schema, "/api/audible/auth", "post", start)
    done = api.post(
        "/api/audible/auth",
        {
            "method": "external",
            "state": start.json()["state"],
            "redirect_url": browser_landing(start.json()["login_url"]),
        },
        format="json",
    )
    assert done.status_code == 200
    assert_conforms(schema, "/api/audible/auth", "post", done)
    refused = api.post(
        "/api/audible/auth",
        {"method": "external", "state": "forged", "redirect_url": "https://x"},
        format="json",
    )
    assert refused.status_code == 400
    assert_conforms(schema, "/api/audible/auth", "post", refused)
