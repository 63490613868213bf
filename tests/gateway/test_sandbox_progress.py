"""Listening progress: lastpositions, the control-API "listen" step, stats endpoints."""

from __future__ import annotations

import audible
import httpx
import pytest

from audible_contract.items import normalize_item
from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.testing import RedirectTransport
from audible_gateway.sandbox.testing import register_authenticator


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:  # the bundled sample library
        server.auth = register_authenticator(server.url)
        yield server


@pytest.fixture
def api(sandbox):
    with audible.Client(sandbox.auth, transport=RedirectTransport(sandbox.url)) as client:
        yield client


def by_title(sandbox, text):
    return next(a for a, i in sandbox.state.items.items() if i["title"].startswith(text))


def positions(api, *asins):
    answer = api.get("annotations/lastpositions", asins=",".join(asins))
    return {e["asin"]: e["last_position_heard"] for e in answer["asin_last_position_heard_annots"]}


def test_lastpositions_shape_for_played_and_unplayed(sandbox, api):
    played = by_title(sandbox, "Harry Potter and the Prisoner")
    unplayed = by_title(sandbox, "Harry Potter and the Goblet")
    heard = positions(api, played, unplayed)
    assert heard[unplayed] == {"status": "DoesNotExist"}
    assert heard[played]["status"] == "Exists"
    runtime_ms = sandbox.state.items[played]["runtime_length_min"] * 60_000
    assert heard[played]["position_ms"] == pytest.approx(runtime_ms * 0.4237, abs=1000)
    assert len(heard[played]["last_updated"]) == len("2025-06-16 20:23:18.818")


def test_listening_between_syncs_keeps_every_progress_field_consistent(sandbox, api):
    asin = by_title(sandbox, "Harry Potter and the Goblet")
    response = httpx.patch(f"{sandbox.url}/__sandbox/library/{asin}", json={"percent": 25}).json()
    assert response["listening_status"]["percent_complete"] == 25.0
    item = api.get(
        f"library/{asin}",
        response_groups="product_desc,product_attrs,listening_status,percent_complete,is_finished",
    )["item"]
    heard = positions(api, asin)[asin]
    runtime_s = item["runtime_length_min"] * 60
    assert item["percent_complete"] == 25.0
    assert item["is_finished"] is False
    assert item["listening_status"]["time_remaining_seconds"] == int(runtime_s * 0.75)
    assert heard["position_ms"] == int(runtime_s * 1000 * 0.25)
    progress = normalize_item(item, {"last_position_heard": heard})["progress"]
    assert (progress["percent"], progress["position_ms"]) == (25.0, heard["position_ms"])

    httpx.patch(
        f"{sandbox.url}/__sandbox/library/{asin}",
        json={"is_finished": True, "finished_at": "2025-11-01T20:00:00Z"},
    )
    done = api.get(f"library/{asin}", response_groups="listening_status,is_finished")["item"]
    assert done["is_finished"] is True
    assert done["listening_status"]["finished_at_timestamp"] == "2025-11-01T20:00:00.000Z"
    assert done["listening_status"]["percent_complete"] == 100.0
    finished = api.get("stats/status/finished", asin=asin)["mark_as_finished_status_list"]
    assert finished[0]["is_marked_as_finished"] is True


def test_put_lastposition_moves_the_position_and_percent(sandbox, api):
    asin = by_title(sandbox, "Caliban")
    assert (
        api.put(f"lastpositions/{asin}", body={"acr": "x", "asin": asin, "position_ms": 600_000})
        == {}
    )
    assert positions(api, asin)[asin]["position_ms"] == 600_000
    item = api.get(f"library/{asin}", response_groups="listening_status")["item"]
    assert item["listening_status"]["percent_complete"] > 0
    with pytest.raises(audible.exceptions.BadRequest):
        api.put(f"lastpositions/{asin}", body={"asin": asin, "position_ms": -5})


def test_control_patch_rejects_unknown_titles(sandbox):
    response = httpx.patch(f"{sandbox.url}/__sandbox/library/B000000000", json={"percent": 5})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_asin"


def test_finished_status_lists_finished_titles_with_dates(sandbox, api):
    records = api.get("stats/status/finished")["mark_as_finished_status_list"]
    finished = {a for a, i in sandbox.state.items.items() if i["is_finished"]}
    assert {r["asin"] for r in records if r["is_marked_as_finished"]} == finished
    assert all(r["event_timestamp"] and r["update_date"] for r in records)
    paged = api.get("stats/status/finished", num_results=2)
    assert len(paged["mark_as_finished_status_list"]) == 2
    assert paged["continuation_token"]


def test_aggregates_total_and_monthly(api):
    total = api.get("stats/aggregates", response_groups="total_listening_stats")
    assert total["aggregated_total_listening_stats"]["unit"] == "Milliseconds"
    assert total["aggregated_total_listening_stats"]["aggregated_sum"] > 0
    monthly = api.get(
        "stats/aggregates",
        monthly_listening_interval_duration=3,
        monthly_listening_interval_start_date="2016-01",
    )["aggregated_monthly_listening_stats"]
    assert [m["interval_identifier"] for m in monthly] == ["2016-01", "2016-02", "2016-03"]
    assert sum(m["aggregated_sum"] for m in monthly) > 0  # Harry Potter 1 finished in Feb 2016
