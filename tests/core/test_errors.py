"""One JSON error shape for every failure under /api/, and the health probe."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client
from rest_framework.test import APIClient

from tracker_api.books.api.views import BookViewSet
from tracker_api.core.errors import flatten_field_errors

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert "Traceback" not in response.content.decode()
    return error


def test_an_unknown_api_path_is_a_json_404(api):
    assert_error_shape(api.get("/api/no/such/thing"), 404, "not_found")
    assert_error_shape(APIClient().get("/api/nothing-here"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(api):
    error = assert_error_shape(api.delete("/api/books"), 405, "method_not_allowed")
    assert "DELETE" in error["message"]


def test_malformed_json_is_a_parse_error(api):
    response = api.generic("POST", "/api/books", "{not json", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_a_crash_is_a_json_500_without_a_stack_trace(api, alice, monkeypatch):
    def explode(self):
        raise RuntimeError("secret internals: token=abc123")

    monkeypatch.setattr(BookViewSet, "get_queryset", explode)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get("/api/books")
    assert_error_shape(response, 500, "server_error")
    assert "abc123" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()


def test_non_api_404_stays_a_page(client):
    response = client.get("/definitely-not-here")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_nested_field_errors_are_flattened():
    detail = {"a": {"b": ["bad"]}, "c": ["x", "y"], "items": [{"d": ["z"]}]}
    assert flatten_field_errors(detail) == {
        "a.b": ["bad"],
        "c": ["x", "y"],
        "items.0.d": ["z"],
    }
    assert flatten_field_errors(["general"]) == {"non_field_errors": ["general"]}


@pytest.mark.parametrize("path", ["/health", "/healthz"])
def test_health_touches_the_database_without_auth(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_says_so_when_the_database_is_down(client, monkeypatch):
    from tracker_api.core import views

    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
