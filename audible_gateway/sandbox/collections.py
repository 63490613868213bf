"""Audible collections in the sandbox: the shelves people use to sort a shared library.

Shapes follow ``../shared/design/AUDIBLE_API.md`` (audible-rs ``src/collections.rs``):

* ``GET /1.0/collections`` (``state_token``, ``visibility_types``, plus ``num_results``/``page``)
  -> ``{"collections": [collection…], "state_token"}`` with a ``Total-Count`` header;
* ``POST /1.0/collections {name, asins, description}`` -> ``{collection_id, creation_date,
  customer_id, marketplace}``;
* ``GET|PUT /1.0/collections/{id}`` -> the collection (PUT changes ``name``/``description``);
* ``GET /1.0/collections/{id}/items`` (``num_results``/``page``) -> ``{"items": [{"asin",
  "added_date"}…], "state_token"}`` with ``Total-Count``; ``POST …/items {asins}`` adds;
  ``DELETE …/items?asins=A,B&state_token=…`` removes. ``__FAVORITES`` always exists.

Only the key names are documented; the exact values (ids, dates, the paging parameters) are
the sandbox's choice, kept close to the library's own (``num_results`` up to 1000, 1-based
``page``, ``Total-Count``). A collection holds titles of the library only; an unknown ASIN or
collection is answered the way the library answers (400 validation message, 404).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from audible_gateway.sandbox.state import SandboxState

from audible_gateway.sandbox.state import SandboxError

FAVORITES = "__FAVORITES"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
VISIBILITY_TYPES = ("Private", "Discoverable")
NOT_FOUND = {"message": "Resource not found"}


def _validation(value: str, name: str, constraint: str) -> SandboxError:
    return SandboxError(
        400,
        {
            "message": f"1 validation error detected: Value '{value}' at '{name}' failed to "
            f"satisfy constraint: {constraint}"
        },
    )


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Collection:
    """One collection: its facts and its titles in the order they were added."""

    collection_id: str
    name: str
    description: str
    creation_date: str
    visibility: str = "Private"
    added: dict[str, str] = field(default_factory=dict)  # asin -> added_date, ordered
    state_token: str = ""

    def describe(self, customer_id: str, marketplace: str) -> dict[str, Any]:
        return {
            "collection_id": self.collection_id,
            "name": self.name,
            "description": self.description,
            "creation_date": self.creation_date,
            "customer_id": customer_id,
            "marketplace": marketplace,
            "visibility": self.visibility,
            "state_token": self.state_token,
        }


def _page(params: Mapping[str, str]) -> tuple[int, int]:
    """``(num_results, page)`` checked as the library checks them."""
    raw_size = params.get("num_results") or str(DEFAULT_PAGE_SIZE)
    raw_page = params.get("page") or "1"
    if not raw_size.isdigit():
        raise _validation(raw_size, "numResults", "Member must satisfy regular expression \\d+")
    if not raw_page.isdigit():
        raise _validation(raw_page, "page", "Member must satisfy regular expression \\d+")
    size, page = int(raw_size), int(raw_page)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _validation(
            raw_size, "numResults", f"Member must have value less than or equal to {MAX_PAGE_SIZE}"
        )
    if page < 1:
        raise _validation(raw_page, "page", "Member must have value greater than or equal to 1")
    return size, page


def _asins(value: Any, name: str = "asins") -> list[str]:
    """A list of ASINs from a JSON list or a comma-separated string (the DELETE query)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.replace("+", ",").split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(a, str) and a for a in value):
        raise _validation(str(value), name, "Member must be a list of ASINs")
    return value


class CollectionStore:
    """The collections of one sandbox account; every method holds the state's lock."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.by_id: dict[str, Collection] = {}
        self.reset()

    def reset(self) -> None:
        """Back to an account with only its (empty) favourites."""
        with self.state.lock:
            self.by_id.clear()
            self._add(Collection(FAVORITES, "Favorites", "", _now_iso()))

    def _add(self, collection: Collection) -> Collection:
        collection.state_token = str(self.state.tick())
        self.by_id[collection.collection_id] = collection
        return collection

    def _marketplace(self) -> str:
        return "AF2M0KC94RCEA"

    def _get(self, collection_id: str) -> Collection:
        collection = self.by_id.get(collection_id)
        if collection is None:
            raise SandboxError(404, NOT_FOUND)
        return collection

    def _owned(self, asins: list[str]) -> list[str]:
        unknown = [a for a in asins if a not in self.state.items]
        if unknown:
            raise _validation(",".join(unknown), "asins", "Member must be titles in the library")
        return asins

    def _touch(self, collection: Collection) -> str:
        collection.state_token = str(self.state.tick())
        return collection.state_token

    # ---------------------------------------------------------------- the API
    def listing(self, params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """``GET /1.0/collections``: one page of collections, oldest first."""
        size, page = _page(params)
        visibility = params.get("visibility_types")
        wanted = set(VISIBILITY_TYPES)
        if visibility:
            wanted = {v.strip() for v in visibility.replace("+", ",").split(",") if v.strip()}
            if wanted - set(VISIBILITY_TYPES):
                raise _validation(
                    visibility,
                    "visibilityTypes",
                    "Member must satisfy enum value set: [Private, Discoverable]",
                )
        with self.state.lock:
            pool = [c for c in self.by_id.values() if c.visibility in wanted]
            shown = pool[(page - 1) * size : page * size]
            body = {
                "collections": [
                    c.describe(self.state.customer_id, self._marketplace()) for c in shown
                ],
                "state_token": self.state.state_token,
            }
            return body, {"Total-Count": str(len(pool)), "State-Token": self.state.state_token}

    def create(self, body: Any) -> dict[str, Any]:
        """``POST /1.0/collections``: a new collection, maybe with titles already in it."""
        if not isinstance(body, dict):
            raise _validation("", "body", "Member must be a JSON object")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _validation(str(name), "name", "Member must not be empty")
        description = body.get("description") or ""
        if not isinstance(description, str):
            raise _validation(str(description), "description", "Member must be a string")
        asins = _asins(body.get("asins") or [])
        with self.state.lock:
            self._owned(asins)
            now = _now_iso()
            collection = Collection(
                collection_id=secrets.token_hex(16),
                name=name.strip(),
                description=description,
                creation_date=now,
                added=dict.fromkeys(asins, now),
            )
            self._add(collection)
            return {
                "collection_id": collection.collection_id,
                "creation_date": collection.creation_date,
                "customer_id": self.state.customer_id,
                "marketplace": self._marketplace(),
            }

    def detail(self, collection_id: str) -> dict[str, Any]:
        with self.state.lock:
            return self._get(collection_id).describe(self.state.customer_id, self._marketplace())

    def update(self, collection_id: str, body: Any) -> dict[str, Any]:
        """``PUT /1.0/collections/{id}``: a new name and/or description."""
        if not isinstance(body, dict):
            raise _validation("", "body", "Member must be a JSON object")
        with self.state.lock:
            collection = self._get(collection_id)
            if "name" in body:
                name = body["name"]
                if not isinstance(name, str) or not name.strip():
                    raise _validation(str(name), "name", "Member must not be empty")
                collection.name = name.strip()
            if "description" in body:
                if not isinstance(body["description"], str):
                    raise _validation("", "description", "Member must be a string")
                collection.description = body["description"]
            self._touch(collection)
            return collection.describe(self.state.customer_id, self._marketplace())

    def items(
        self, collection_id: str, params: Mapping[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """``GET /1.0/collections/{id}/items``: one page of the titles, in the order added."""
        size, page = _page(params)
        with self.state.lock:
            collection = self._get(collection_id)
            entries = list(collection.added.items())
            shown = entries[(page - 1) * size : page * size]
            body = {
                "items": [{"asin": asin, "added_date": added} for asin, added in shown],
                "state_token": collection.state_token,
            }
            return body, {"Total-Count": str(len(entries)), "State-Token": collection.state_token}

    def add_items(self, collection_id: str, body: Any) -> dict[str, Any]:
        """``POST /1.0/collections/{id}/items {asins}``: titles join (again: no change)."""
        asins = _asins(body.get("asins") if isinstance(body, dict) else None)
        with self.state.lock:
            collection = self._get(collection_id)
            self._owned(asins)
            now = _now_iso()
            for asin in asins:
                collection.added.setdefault(asin, now)
            return {"state_token": self._touch(collection)}

    def remove_items(self, collection_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        """``DELETE /1.0/collections/{id}/items?asins=…``: titles leave (absent ones: fine)."""
        asins = _asins(params.get("asins") or "")
        if not asins:
            raise _validation("", "asins", "Member must not be empty")
        with self.state.lock:
            collection = self._get(collection_id)
            for asin in asins:
                collection.added.pop(asin, None)
            return {"state_token": self._touch(collection)}

    # ---------------------------------------------------------------- for tests and demos
    def move(self, asin: str, to: str) -> None:
        """Take ``asin`` out of every collection and put it into the one named ``to``."""
        with self.state.lock:
            target = self.named(to)
            if target is None:
                raise SandboxError(404, NOT_FOUND)
            for collection in self.by_id.values():
                if collection is not target and collection.added.pop(asin, None) is not None:
                    self._touch(collection)
            self.add_items(target.collection_id, {"asins": [asin]})

    def named(self, name: str) -> Collection | None:
        with self.state.lock:
            return next((c for c in self.by_id.values() if c.name == name), None)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                {"collection_id": c.collection_id, "name": c.name, "asins": list(c.added)}
                for c in self.by_id.values()
            ]
