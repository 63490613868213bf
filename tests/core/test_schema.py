"""The OpenAPI schema is served and tells the truth: real responses validate against it.

Every object in the schema is made strict (no undeclared keys) before validating, so a response
that grows a field the schema does not mention fails here.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest

from tests.support.factories import BookFactory

pytestmark = pytest.mark.django_db
GOODREADS = Path(__file__).parents[1] / "books" / "fixtures" / "goodreads_export.csv"


@pytest.fixture
def schema(anon) -> dict:
    response = anon.get("/api/schema?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    return document


def strict(node):
    if isinstance(node, dict):
        node = {key: strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [strict(item) for item in node]
    return node


def assert_conforms(schema: dict, path: str, method: str, response) -> None:
    operation = schema["paths"][path][method]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{method.upper()} {path} {response.status_code} undocumented"
    body_schema = declared["content"]["application/json"]["schema"]
    validator_schema = {**copy.deepcopy(body_schema), "components": strict(schema["components"])}
    jsonschema.validate(response.json(), validator_schema, cls=jsonschema.Draft202012Validator)


def test_schema_lists_every_books_endpoint(schema):
    paths = schema["paths"]
    assert set(paths["/api/books"]) >= {"get", "post"}
    assert set(paths["/api/books/{id}"]) >= {"get", "put", "patch", "delete"}
    assert "post" in paths["/api/books/import"]
    upload = paths["/api/books/import"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_books_responses_match_the_schema(schema, api, alice):
    book = BookFactory(user=alice, isbn13="9780439023481", status="reading", year=-380)
    assert_conforms(schema, "/api/books", "get", api.get("/api/books?search=book"))
    assert_conforms(schema, "/api/books/{id}", "get", api.get(f"/api/books/{book.pk}"))
    created = api.post("/api/books", {"title": "New", "authors": ["A"]}, format="json")
    assert_conforms(schema, "/api/books", "post", created)
    patched = api.patch(f"/api/books/{book.pk}", {"status": "read"}, format="json")
    assert_conforms(schema, "/api/books/{id}", "patch", patched)
    put = api.put(f"/api/books/{book.pk}", {"title": "Renamed"}, format="json")
    assert_conforms(schema, "/api/books/{id}", "put", put)


def test_error_responses_match_the_schema(schema, api, anon, bob):
    invalid = api.post("/api/books", {"title": "", "isbn13": "123"}, format="json")
    assert_conforms(schema, "/api/books", "post", invalid)
    assert_conforms(schema, "/api/books", "get", anon.get("/api/books"))
    assert_conforms(schema, "/api/books", "get", api.get("/api/books?status=nope"))
    assert_conforms(schema, "/api/books", "get", api.get("/api/books?page=42"))
    theirs = BookFactory(user=bob)
    assert_conforms(schema, "/api/books/{id}", "get", api.get(f"/api/books/{theirs.pk}"))
    assert_conforms(
        schema, "/api/books/{id}", "patch", api.patch(f"/api/books/{theirs.pk}", {}, format="json")
    )


def test_import_response_matches_the_schema(schema, api):
    with GOODREADS.open("rb") as handle:
        response = api.post("/api/books/import", {"file": handle}, format="multipart")
    assert_conforms(schema, "/api/books/import", "post", response)
    refused = api.post("/api/books/import", {}, format="multipart")
    assert_conforms(schema, "/api/books/import", "post", refused)


def test_docs_page_is_served(anon):
    response = anon.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/schema" in response.content
