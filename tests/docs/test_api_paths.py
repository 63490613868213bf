"""Every path the tracker's URL conf and the gateway's routes answer is in the docs, and the
docs index points at the generated API schemas."""

from __future__ import annotations

import re

import pytest

from tests.docs import codebase
from tests.docs.codebase import REPO
from tests.docs.codebase import normalise_path
from tests.docs.markdown import doc_files

PATH_RE = re.compile(r"(?<![\w.$])(/[A-Za-z0-9_.{}<>:-]+(?:/[A-Za-z0-9_.{}<>:-]*)*)")


def documented_paths() -> set[str]:
    found: set[str] = set()
    for path in doc_files():
        for match in PATH_RE.findall(path.read_text(encoding="utf-8")):
            found.add(normalise_path(match))
            found.add(normalise_path(match).rstrip("/") or "/")
    return found


ROUTES = [("tracker", r) for r in codebase.tracker_routes()] + [
    ("gateway", r) for r in codebase.gateway_routes()
]


@pytest.mark.parametrize(("process", "route"), ROUTES, ids=[f"{p} {r}" for p, r in ROUTES])
def test_every_route_is_documented(process, route):
    assert route in documented_paths(), f"the {process}'s {route} is in no doc"


def test_routes_are_read_from_both_processes():
    tracker = set(codebase.tracker_routes())
    assert {"/api/audible/sync", "/api/books/{}", "/api/audible/conflicts/{}/resolve"} <= tracker
    assert {"/api/auth", "/api/progress/{}", "/health", "/openapi.json"} <= set(
        codebase.gateway_routes()
    )


def test_the_docs_index_points_at_the_generated_schemas():
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    for where in ("/api/schema?format=json", "/api/docs", "/openapi.json"):
        assert where in index
