"""An account's collections and the titles in each (``GET 1.0/collections``, ``…/{id}/items``).

People sort a shared library into collections ("Sam", "Kids"); the tracker routes titles to
household members by them. Both lists are paged the way the library is (``num_results`` up to
1000, 1-based ``page``), read until a short page; every request goes through the same retry
policy and error translation as every other Audible call and is counted (retries too). The
answer is ``{"collections": [{"collection_id", "name", "description", "asins"}…]}``, in
Audible's order, each ASIN once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import audible
import httpx
from audible import exceptions as ax

from audible_gateway import errors
from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import translate
from audible_gateway.upstream import Upstream

PAGE_SIZE = 1000
MAX_PAGES = 20  # 20,000 collections or titles in one collection: far past any real account


class CollectionsFetch:
    """One read of every collection with its titles; ``requests`` counts what it cost."""

    def __init__(self, client: audible.Client, policy: RetryPolicy, page_size: int) -> None:
        self.client = client
        self.policy = policy
        self.page_size = page_size
        self.requests = 0

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        def counted() -> Any:
            self.requests += 1
            return self.client.get(path, params=params)

        return self.policy.call(counted)

    def _pages(self, path: str, key: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for number in range(1, MAX_PAGES + 1):
            body = self._get(path, {"num_results": self.page_size, "page": number})
            rows = body.get(key) if isinstance(body, dict) else None
            if not isinstance(rows, list):
                raise errors.bad_upstream(f"a {path} answer has no {key} list")
            found.extend(row for row in rows if isinstance(row, dict))
            if len(rows) < self.page_size:
                break
        return found

    def run(self) -> list[dict[str, Any]]:
        out = []
        for raw in self._pages("collections", "collections"):
            ident = raw.get("collection_id")
            if not isinstance(ident, str) or not ident:
                continue
            asins: dict[str, None] = {}
            for entry in self._pages(f"collections/{ident}/items", "items"):
                asin = entry.get("asin")
                if isinstance(asin, str) and asin:
                    asins[asin] = None
            name = raw.get("name")
            description = raw.get("description")
            out.append(
                {
                    "collection_id": ident,
                    "name": name if isinstance(name, str) else "",
                    "description": description if isinstance(description, str) else "",
                    "asins": list(asins),
                }
            )
        return out


def fetch_collections(
    upstream: Upstream,
    policy: RetryPolicy,
    auth: audible.Authenticator,
    *,
    page_size: int = PAGE_SIZE,
    on_requests: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Every collection of the account with its ASINs, and the number of requests it took."""
    with upstream.api_client(auth) as client:
        fetch = CollectionsFetch(client, policy, page_size)
        try:
            collections = fetch.run()
        except errors.GatewayError:
            raise
        except (ax.AudibleError, httpx.HTTPError) as exc:
            raise translate(exc) from None
    return collections, fetch.requests
