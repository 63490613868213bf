"""Collections: the sandbox through the unmodified ``audible`` package, and ``POST
/api/collections`` through the gateway (paged, same secret, same retry and error rules)."""

from __future__ import annotations

import audible
import pytest
from audible import exceptions as ax

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.collections import FAVORITES
from audible_gateway.sandbox.library_gen import generate_library
from audible_gateway.sandbox.testing import RedirectTransport
from audible_gateway.sandbox.testing import register_authenticator

from .conftest import Connected

LIST = "/1.0/collections"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(30, seed=19)) as server:
        server.auth = register_authenticator(server.url)
        yield server


@pytest.fixture
def api(sandbox):
    sandbox.state.clear_faults()
    with audible.Client(sandbox.auth, transport=RedirectTransport(sandbox.url)) as client:
        yield client


def asins(sandbox, n):
    return sorted(sandbox.state.items)[:n]


def test_create_add_remove_and_list_over_real_http(sandbox, api):
    first, second, third = asins(sandbox, 3)
    made = api.post("collections", body={"name": "Sam", "asins": [first], "description": "hers"})
    assert set(made) == {"collection_id", "creation_date", "customer_id", "marketplace"}
    ident = made["collection_id"]
    api.post(f"collections/{ident}/items", body={"asins": [second, third]})
    listed = api.get(f"collections/{ident}/items")
    assert [entry["asin"] for entry in listed["items"]] == [first, second, third]
    api.delete(f"collections/{ident}/items", params={"asins": f"{first},{third}"})
    assert [e["asin"] for e in api.get(f"collections/{ident}/items")["items"]] == [second]
    detail = api.get(f"collections/{ident}")
    assert (detail["name"], detail["description"]) == ("Sam", "hers")
    renamed = api.put(f"collections/{ident}", body={"name": "Samantha"})
    assert renamed["name"] == "Samantha"
    names = [c["name"] for c in api.get("collections")["collections"]]
    assert "Samantha" in names
    assert "Favorites" in names
    assert api.get(f"collections/{FAVORITES}/items")["items"] == []


def test_paging_and_the_total_count_header(sandbox, api):
    made = api.post("collections", body={"name": "Big", "asins": asins(sandbox, 25)})
    path = f"collections/{made['collection_id']}/items"
    first = api.get(path, num_results=10, page=1, response_callback=lambda r: r)
    assert first.headers["Total-Count"] == "25"
    pages = [api.get(path, num_results=10, page=n)["items"] for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [e["asin"] for p in pages for e in p] == asins(sandbox, 25)


def test_unknown_titles_collections_and_bad_sizes_are_refused(sandbox, api):
    with pytest.raises(ax.BadRequest):
        api.post("collections", body={"name": "X", "asins": ["B000NOTOWN"]})
    with pytest.raises(ax.BadRequest):
        api.post("collections", body={"name": " "})
    with pytest.raises(ax.NotFoundError):
        api.get("collections/nope/items")
    with pytest.raises(ax.BadRequest):
        api.get("collections", num_results=1001)


def test_the_gateway_reads_every_collection_with_its_titles_paged(sandbox):
    gw = Connected(sandbox, GATEWAY_PAGE_SIZE="10")
    store = sandbox.state.collections
    wanted = asins(sandbox, 23)
    store.create({"name": "Kids", "asins": wanted})
    sandbox.state.reset_calls()
    answer = gw.post("/api/collections", {"auth": gw.blob})
    assert answer.status_code == 200, answer.json
    body = answer.json
    kids = next(c for c in body["collections"] if c["name"] == "Kids")
    assert kids["asins"] == wanted
    assert {c["collection_id"] for c in body["collections"]} == set(store.by_id)
    calls = sum(n for key, n in sandbox.state.calls.items() if "/1.0/collections" in key)
    assert body["audible_requests"] == calls
    assert sandbox.state.calls_to(f"{LIST}/{kids['collection_id']}/items") == 3  # 10 + 10 + 3
    assert "asins" not in str(answer.headers)
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_gateway_retries_a_5xx_and_needs_the_secret(sandbox):
    gw = Connected(sandbox)
    sandbox.state.arm_fault(path=LIST, status=503, count=1)
    sandbox.state.reset_calls()
    answer = gw.post("/api/collections", {"auth": gw.blob})
    assert answer.status_code == 200, answer.json
    assert sandbox.state.calls_to(LIST) == 2  # the 503, then the retry
    assert answer.json["audible_requests"] == sum(
        n for key, n in sandbox.state.calls.items() if "/1.0/collections" in key
    )
    refused = gw.client.post("/api/collections", json={"auth": gw.blob})
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "invalid_secret"


def test_the_gateway_maps_a_refused_login_to_reauth_required(sandbox):
    gw = Connected(sandbox)
    sandbox.state.arm_fault(path=LIST, status=403, count=None)
    answer = gw.post("/api/collections", {"auth": gw.blob})
    sandbox.state.clear_faults()
    assert answer.status_code >= 400, answer.json
    assert answer.json["error"]["code"] == "audible_reauth_required"


def test_a_bad_blob_is_the_one_error_shape(sandbox):
    gw = Connected(sandbox)
    answer = gw.post("/api/collections", {"auth": "not-a-blob"})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_auth_blob"
