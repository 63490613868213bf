"""An Audible library in memory, behind the same calls the sync makes to the gateway.

The sync gets its library through ``tracker_api.audible_sync.gateway``: ``fetch_library`` (the
titles), ``listening_stats`` (after a sync that changed something) and ``fetch_collections``
(a household that routes by collection; answered with none here). :class:`InMemoryLibrary`
answers them from a ``SandboxState``, the very object the live sandbox serves, without HTTP:
the page comes from the sandbox's own ``library_page`` with the gateway's response groups and
every item goes through the contract's ``normalize_item``, as in the gateway; titles in
progress get their last position from the state, as the gateway asks
``annotations/lastpositions``; listening figures are the sandbox's aggregates, read with the
gateway's own helpers.

So the apply, lock and rate-limit logic is tested in milliseconds, while the live stack
(``tests/support/stack.py``) keeps the end-to-end paths: retries, faults, sealing, HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from audible_contract.items import MalformedItem
from audible_contract.items import normalize_item
from audible_gateway import stats
from audible_gateway.library import PAGE_SIZE
from audible_gateway.library import RESPONSE_GROUPS
from audible_gateway.sandbox.library_api import aggregates
from audible_gateway.sandbox.library_api import library_page
from audible_gateway.sandbox.state import SandboxState
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.gateway import CollectionsResult
from tracker_api.audible_sync.gateway import GatewayCallError
from tracker_api.audible_sync.gateway import LibraryResult
from tracker_api.audible_sync.gateway import ListeningResult


@dataclass
class Call:
    """One call the tracker made: which, with which sealed blob, and the known progress sent."""

    name: str
    sealed: str
    known_progress: dict[str, list[Any]] | None = None


@dataclass
class InMemoryLibrary:
    """The gateway's library calls, answered from ``state`` (see the module docstring).

    ``fail_with(error)`` makes the next library call raise that
    :class:`~tracker_api.audible_sync.gateway.GatewayCallError` (as the client raises it after
    its retries); ``new_auth`` is handed back as a refreshed sealed blob; ``calls`` records
    every call in order.
    """

    state: SandboxState
    new_auth: str | None = None
    calls: list[Call] = field(default_factory=list)
    _failures: list[GatewayCallError] = field(default_factory=list)

    def fail_with(self, error: GatewayCallError, times: int = 1) -> None:
        self._failures.extend([error] * times)

    def fetch_library(
        self,
        sealed: str,
        *,
        include_revoked: bool = True,
        known_progress: dict[str, list[Any]] | None = None,
    ) -> LibraryResult:
        self.calls.append(Call("library", sealed, known_progress))
        if self._failures:
            raise self._failures.pop(0)
        params = {"num_results": str(PAGE_SIZE), "response_groups": RESPONSE_GROUPS}
        if include_revoked:
            params["status"] = "Active,Revoked"
        items: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        requests, page, total = 0, 1, 0
        while True:
            body, headers = library_page(self.state, {**params, "page": str(page)})
            requests += 1
            total = int(headers["Total-Count"])
            for raw in json.loads(body)["items"]:
                try:
                    items.append(self._normalise(raw))
                except MalformedItem as exc:
                    errors.append({"asin": exc.asin, "message": exc.reason})
            if "Continuation-Token" not in headers:
                break
            page += 1
        return LibraryResult(
            items=items,
            new_auth=self.new_auth,
            errors=errors,
            total=total,
            complete=True,
            audible_requests=requests,
        )

    def _normalise(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The gateway's item; a title in progress gets its last position, as upstream."""
        item = normalize_item(raw)
        progress = item["progress"]
        in_progress = 0 < progress["percent"] < 100 and not progress["is_finished"]
        if in_progress and item["status"] == "Active":
            return normalize_item(raw, self.state.last_position(item["asin"]))
        return item

    def listening_stats(self, sealed: str, *, days: int = 30, months: int = 12) -> ListeningResult:
        """The sandbox's aggregates, asked and read the gateway's way (two requests)."""
        self.calls.append(Call("stats", sealed))
        today = datetime.now(UTC).date()
        by_day = aggregates(
            self.state,
            {
                "daily_listening_interval_duration": str(days),
                "daily_listening_interval_start_date": str(today - timedelta(days=days - 1)),
            },
        )
        by_month = aggregates(
            self.state,
            {
                "monthly_listening_interval_duration": str(months),
                "monthly_listening_interval_start_date": stats._months_back(today, months),
                "response_groups": "total_listening_stats",
            },
        )
        total = by_month["aggregated_total_listening_stats"]["aggregated_sum"]
        return ListeningResult(
            days=stats._intervals(by_day, "aggregated_daily_listening_stats", 10),
            months=stats._intervals(by_month, "aggregated_monthly_listening_stats", 7),
            total_ms=int(total),
            audible_requests=stats.REQUESTS,
        )

    def fetch_collections(self, sealed: str) -> CollectionsResult:
        self.calls.append(Call("collections", sealed))
        return CollectionsResult(collections=[], audible_requests=0)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> InMemoryLibrary:
        """Answer the tracker's gateway calls from memory for the rest of the test."""
        monkeypatch.setattr(gateway, "fetch_library", self.fetch_library)
        monkeypatch.setattr(gateway, "listening_stats", self.listening_stats)
        monkeypatch.setattr(gateway, "fetch_collections", self.fetch_collections)
        return self
