"""``GET /1.0/library`` through the unmodified package: paging, limits, groups, delta sync."""

from __future__ import annotations

import math

import audible
import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.groups import ITEM_KEYS
from audible_gateway.sandbox.library_gen import generate_library
from audible_gateway.sandbox.testing import RedirectTransport
from audible_gateway.sandbox.testing import register_authenticator

N = 2500


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(N, seed=11)) as server:
        server.auth = register_authenticator(server.url)
        yield server


@pytest.fixture
def api(sandbox):
    sandbox.state.clear_faults()
    with audible.Client(sandbox.auth, transport=RedirectTransport(sandbox.url)) as client:
        yield client


def page(api, **params):
    """One page with its headers (audible-cli reads Total-Count the same way)."""
    return api.get("library", response_callback=lambda resp: resp, **params)


def active_count(sandbox):
    return sum(1 for i in sandbox.state.items.values() if i["status"] == "Active")


def test_paging_reads_every_active_title_once_using_total_count(sandbox, api):
    first = page(api, num_results=1000, page=1, response_groups="product_desc")
    total = int(first.headers["Total-Count"])
    assert total == active_count(sandbox)
    assert first.headers["State-Token"].isdigit()
    assert len(first.headers["State-Token"]) == 13
    asins = [i["asin"] for i in first.json()["items"]]
    for number in range(2, math.ceil(total / 1000) + 1):
        asins += [i["asin"] for i in page(api, num_results=1000, page=number).json()["items"]]
    assert len(asins) == total == len(set(asins))
    beyond = page(api, num_results=1000, page=math.ceil(total / 1000) + 1)
    assert beyond.json()["items"] == []


def test_page_size_over_1000_is_the_real_validation_error(api):
    with pytest.raises(audible.exceptions.BadRequest) as caught:
        api.get("library", num_results=1001)
    assert caught.value.error.startswith(
        "1 validation error detected: Value '1001' at 'numResults'"
    )


def test_paging_past_the_cap_is_implied_library_size_unsupported(sandbox, api):
    with pytest.raises(audible.exceptions.BadRequest, match="Implied library size is unsupported"):
        api.get("library", num_results=1000, page=11)
    assert api.get("library", num_results=1000, page=10)["items"] == []  # 10,000 exactly is fine
    sandbox.state.config.page_cap = 2000
    try:
        with pytest.raises(audible.exceptions.BadRequest):
            api.get("library", num_results=1000, page=3)
    finally:
        sandbox.state.config.page_cap = 10_000


def test_response_groups_decide_which_keys_carry_values(sandbox, api):
    bare = api.get("library", num_results=5, response_groups="product_attrs")
    item = bare["items"][0]
    assert set(item) == set(ITEM_KEYS)  # every key present, as in real answers
    assert item["title"] is None
    assert item["authors"] is None
    assert item["is_finished"] is None
    assert item["percent_complete"] is None
    assert item["listening_status"] is None
    assert item["isbn"] is None
    assert item["runtime_length_min"]
    assert item["content_type"]
    assert item["library_status"]["date_added"]
    assert item["library_status"]["is_visible"] is None
    assert bare["response_groups"] == ["always-returned", "product_attrs"]

    full = api.get(
        "library",
        num_results=1000,
        response_groups="product_desc,contributors,series,listening_status,is_finished,"
        "percent_complete,product_details",
    )["items"]
    stored = sandbox.state.items
    sample = full[0]
    assert sample["title"] == stored[sample["asin"]]["title"]
    assert sample["authors"] == stored[sample["asin"]]["authors"]
    assert sample["listening_status"] == stored[sample["asin"]]["listening_status"]
    assert any(i["isbn"] for i in full)
    assert any(i["is_finished"] for i in full)


def test_groups_tolerate_spaces_and_plus(api):
    spaced = api.get("library", num_results=2, response_groups="product_desc, series")
    assert spaced["response_groups"] == ["always-returned", "product_desc", "series"]
    assert spaced["items"][0]["title"]


def test_sort_by_title_and_default_newest_purchase_first(api):
    titles = [
        i["title"]
        for i in api.get(
            "library", num_results=50, sort_by="Title", response_groups="product_desc"
        )["items"]
    ]
    assert titles == sorted(titles, key=str.lower)
    dates = [i["purchase_date"] for i in api.get("library", num_results=50)["items"]]
    assert dates == sorted(dates, reverse=True)
    with pytest.raises(audible.exceptions.BadRequest):
        api.get("library", sort_by="Colour")


def test_status_revoked_and_active_revoked(sandbox, api):
    revoked = page(api, num_results=1000, status="Revoked")
    assert revoked.json()["items"]
    assert all(i["status"] == "Revoked" for i in revoked.json()["items"])
    both = int(page(api, num_results=1, status="Active,Revoked").headers["Total-Count"])
    assert both == len(sandbox.state.items)


def test_state_token_returns_only_changes_and_returned_titles(sandbox, api):
    token = page(api, num_results=1).headers["State-Token"]
    unchanged = page(api, num_results=1000, state_token=token, status="Active,Revoked")
    assert unchanged.json()["items"] == []
    assert unchanged.headers["Total-Count"] == "0"

    listened, returned = [
        i for i in sandbox.state.items if sandbox.state.items[i]["status"] == "Active"
    ][:2]
    sandbox.state.update_progress(listened, percent=50)
    sandbox.state.remove_item(returned)
    delta = page(
        api,
        num_results=1000,
        state_token=token,
        status="Active,Revoked",
        response_groups="listening_status",
    )
    changed = {i["asin"]: i for i in delta.json()["items"]}
    assert set(changed) == {listened, returned}
    assert changed[returned]["status"] == "Revoked"
    assert changed[listened]["listening_status"]["percent_complete"] == 50.0
    assert int(delta.headers["State-Token"]) > int(token)
    # the returned title is gone from the default (Active) listing
    with pytest.raises(audible.exceptions.NotFoundError):
        api.get(f"library/{returned}")


def test_purchased_after(api):
    recent = api.get("library", num_results=1000, purchased_after="2025-01-01T00:00:00Z")["items"]
    assert recent
    assert all(i["purchase_date"] > "2025-01-01" for i in recent)


def test_single_item_and_unknown_asin(sandbox, api):
    asin = next(a for a, i in sandbox.state.items.items() if i["status"] == "Active")
    answer = api.get(f"library/{asin}", response_groups="product_desc")
    assert answer["item"]["asin"] == asin
    assert answer["item"]["title"]
    with pytest.raises(audible.exceptions.NotFoundError):
        api.get("library/B000000000")


def test_async_client_fetches_pages_concurrently_like_audible_cli(sandbox):
    import asyncio

    from audible_gateway.sandbox.testing import AsyncRedirectTransport

    async def fetch_all():
        async with audible.AsyncClient(
            sandbox.auth, transport=AsyncRedirectTransport(sandbox.url)
        ) as api:
            first = await api.get(
                "library", num_results=500, page=1, response_callback=lambda resp: resp
            )
            pages = math.ceil(int(first.headers["total-count"]) / 500)
            rest = await asyncio.gather(
                *(api.get("library", num_results=500, page=n) for n in range(2, pages + 1))
            )
            return first.json()["items"] + [i for p in rest for i in p["items"]]

    items = asyncio.run(fetch_all())
    assert len({i["asin"] for i in items}) == len(items) == active_count(sandbox)
