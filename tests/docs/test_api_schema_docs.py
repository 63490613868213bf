"""The tracker's OpenAPI schema is enough to write a front-end against: every operation has a
summary, sits under a described tag and shows an example; the description says how to get a
token; the docs page loads nothing from another host."""

from __future__ import annotations

import re

import pytest

from tests.core.test_schema import schema  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _operations(schema):  # noqa: F811
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _has_example(operation) -> bool:
    bodies = [*operation.get("requestBody", {}).get("content", {}).values()]
    for answer in operation["responses"].values():
        bodies += answer.get("content", {}).values()
    return any("examples" in body or "example" in body for body in bodies)


def _has_body(operation) -> bool:
    ok = [a for code, a in operation["responses"].items() if code.startswith("2")]
    return "requestBody" in operation or any(a.get("content") for a in ok)


def test_every_operation_has_a_summary_a_described_tag_and_an_example(schema):  # noqa: F811
    described = {tag["name"]: tag.get("description", "") for tag in schema["tags"]}
    assert all(described.values()), described
    seen = 0
    for label, operation in _operations(schema):
        assert operation.get("summary"), f"{label} has no summary"
        assert set(operation["tags"]) <= set(described), f"{label}: {operation['tags']}"
        if _has_body(operation):
            assert _has_example(operation), f"{label} has no example"
        seen += 1
    assert seen >= 30


def test_the_description_says_how_to_get_a_token(schema):  # noqa: F811
    text = schema["info"]["description"]
    assert "manage.py create_user" in text
    assert "/admin/" in text
    assert "Authorization: Token" in text


def test_the_docs_page_links_nothing_on_another_host(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/redoc" in html
    assert not re.findall(r"https?://", html.replace("http://testserver", "")), html
    script = re.search(r'<script src="([^"]+)"', html).group(1)
    assert client.get(script).status_code == 200 or script.startswith("/static/")
