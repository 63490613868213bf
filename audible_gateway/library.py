"""The whole library of one account, every page, normalised into the documented item shape.

Like audible-cli: page 1 with ``num_results=1000`` gives the ``Total-Count`` header, then
pages 2..N are fetched concurrently. Each page is normalised as soon as it arrives so raw
pages do not pile up in memory (the gateway must stay lean at 10,000 titles). Titles in
progress (still in the library: a returned title's position is of no use) then get their
last listening position from ``annotations/lastpositions``, asked for in batches, except
those whose listening state is what the caller already holds (``known_progress``): their
known position is carried over and Audible is not asked. Every
request sent upstream (retries too) is counted and reported. A malformed item is reported in
``errors``, never a crash.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import overload

import audible
import httpx
from audible import exceptions as ax
from audible.client import raise_for_status

from audible_contract import wire
from audible_contract.items import MalformedItem
from audible_contract.items import normalize_item
from audible_contract.items import progress_of
from audible_gateway import errors
from audible_gateway.known_progress import Known
from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import translate
from audible_gateway.upstream import Upstream

# Exactly what the item shape needs: titles (product_desc), people (contributors), series,
# isbn (product_details), runtime/dates/language/types (product_attrs), provenance (origin),
# the genres (category_ladders: a household routes children's titles by them) and progress.
# is_finished is null unless its own group is asked for (Audible#17).
RESPONSE_GROUPS = ",".join(
    [
        "contributors",
        "product_attrs",
        "product_desc",
        "product_details",
        "series",
        "category_ladders",
        "origin",
        "is_finished",
        "percent_complete",
        "listening_status",
    ]
)
PAGE_SIZE = 1000
PROGRESS_KEYS = ("listening_status", "percent_complete", "is_finished")
MAX_PAGES_WITHOUT_COUNT = 50
LIBRARY_SIZE_REFUSAL = "implied library size is unsupported"


def encode_item(item: dict[str, Any]) -> bytes:
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(slots=True)
class Pending:
    """A title in progress waiting for its last position: the item encoded up to its
    ``progress`` (the last key of the item shape) plus that small dict, so memory stays flat
    while positions are looked up (a whole item as Python objects costs about 5 KB)."""

    asin: str
    head: bytes
    progress: dict[str, Any]

    @classmethod
    def of(cls, item: dict[str, Any]) -> Pending:
        head = encode_item({k: v for k, v in item.items() if k != "progress"})
        return cls(item["asin"], head[:-1] + b',"progress":', item["progress"])

    def encode(self) -> bytes:
        return self.head + encode_item(self.progress) + b"}"


class EncodedItems(Sequence[dict[str, Any]]):
    """Normalised items kept as compact JSON bytes.

    A normalised item costs about 5 KB as Python objects but about 600 bytes as JSON, which is
    what keeps a 10,000-title answer well inside the gateway's memory budget. Indexing and
    iteration decode on demand for Python callers; ``to_json`` is the array as sent.
    """

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __len__(self) -> int:
        return len(self.chunks)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [json.loads(chunk) for chunk in self.chunks[index]]
        return json.loads(self.chunks[index])

    def to_json(self) -> bytes:
        return b"[" + b",".join(self.chunks) + b"]"

    def json_length(self) -> int:
        """``len(self.to_json())`` without building it."""
        return 2 + sum(map(len, self.chunks)) + max(len(self.chunks) - 1, 0)

    def json_blocks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """``to_json()`` in blocks of about ``size`` bytes, so the answer is written without a
        second (and, spliced into the body, a third) copy of the whole library in memory."""
        block: list[bytes] = [b"["]
        filled = 1
        for number, chunk in enumerate(self.chunks):
            if number:
                block.append(b",")
            block.append(chunk)
            filled += len(chunk) + 1
            if filled >= size:
                yield b"".join(block)
                block, filled = [], 0
        block.append(b"]")
        yield b"".join(block)


@dataclass
class Page:
    """One normalised page: entries already encoded, titles in progress as ``Pending``.

    Titles in progress wait for their last position; for them only the few raw progress
    fields are kept (``PROGRESS_KEYS``), not the whole raw item, so memory stays flat.
    """

    entries: list[bytes | Pending] = field(default_factory=list)
    in_progress: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0


@dataclass
class Library:
    items: EncodedItems
    errors: list[dict[str, Any]]
    total: int
    complete: bool
    audible_requests: int = 0


def normalise_page(
    raw_items: Any, seen: set[str] | None = None, known: dict[str, Known] | None = None
) -> Page:
    """Normalise and encode one page; ``seen`` drops titles an earlier page already had.

    A title in progress whose state is in ``known`` unchanged gets the known position and is
    done; the others wait in ``in_progress`` for a lookup.
    """
    page = Page()
    seen = set() if seen is None else seen
    if not isinstance(raw_items, list):
        page.errors.append({"asin": None, "message": "a library page had no item list"})
        return page
    page.count = len(raw_items)
    for raw in raw_items:
        try:
            item = normalize_item(raw)
        except MalformedItem as exc:
            page.errors.append({"asin": exc.asin, "message": exc.reason})
            continue
        if item["asin"] in seen:  # the library changed between two page requests
            continue
        seen.add(item["asin"])
        progress = item["progress"]
        if (
            0 < progress["percent"] < 100
            and not progress["is_finished"]
            and item["status"] == "Active"
        ):
            held = known.get(item["asin"]) if known else None
            if held is not None and held.matches(progress):
                held.carry_into(progress)
                page.entries.append(encode_item(item))
                continue
            page.in_progress[item["asin"]] = {key: raw.get(key) for key in PROGRESS_KEYS}
            page.entries.append(Pending.of(item))
        else:
            page.entries.append(encode_item(item))
    return page


async def _read_page(client: audible.AsyncClient, url: str, params: dict[str, Any]) -> Any:
    """GET one library page, streamed into a local buffer.

    httpx keeps every response in a reference cycle with its stream, so a cached body lives
    until a full garbage collection; at 1,000 titles a page that is megabytes per page.
    Streaming keeps the body out of the response object. Errors map like the package's.
    """
    try:
        async with client.raw_request(
            "GET", url, stream=True, apply_auth_flow=True, params=params
        ) as response:
            if response.is_error:
                await response.aread()
                raise_for_status(response)
            buffer = bytearray()
            async for chunk in response.aiter_bytes():
                buffer += chunk
            count = response.headers.get("Total-Count")
    except httpx.TimeoutException:
        raise ax.NotResponding from None
    except httpx.NetworkError:
        raise ax.NetworkError from None
    except httpx.RequestError as exc:
        raise ax.RequestError(exc) from None
    try:
        # Decoded first and the bytes let go, so the raw page is not held twice (bytes and
        # text, 5 MB each at 1,000 titles) while it is parsed; the encoding as json.loads finds it.
        text = buffer.decode(json.detect_encoding(buffer), "surrogatepass")
        buffer.clear()
        return count, json.loads(text)
    except ValueError:
        raise errors.bad_upstream("a library page is not JSON") from None


def _is_size_refusal(exc: BaseException) -> bool:
    return isinstance(exc, ax.BadRequest) and LIBRARY_SIZE_REFUSAL in str(exc.error or "").lower()


class LibraryFetch:
    """One library download: pages, positions, normalisation."""

    def __init__(
        self,
        client: audible.AsyncClient,
        policy: RetryPolicy,
        *,
        concurrency: int,
        lastpositions_batch: int,
        include_revoked: bool,
        page_size: int = PAGE_SIZE,
        known: dict[str, Known] | None = None,
    ) -> None:
        self.client = client
        self.known = known or {}
        self.requests = 0  # every request sent upstream, retries included
        self.policy = policy
        self.gate = asyncio.Semaphore(concurrency)
        self.batch = lastpositions_batch
        self.page_size = page_size
        self.seen: set[str] = set()
        self.lookups: list[asyncio.Future[tuple[dict[str, Any], list[dict[str, Any]]]]] = []
        locale = client.auth.locale
        if locale is None:  # authenticator_from_dict guarantees a locale
            raise errors.invalid_auth_blob()
        self.url = f"https://api.audible.{locale.domain}/1.0/library"
        self.params: dict[str, Any] = {
            "num_results": page_size,
            "response_groups": RESPONSE_GROUPS,
        }
        if include_revoked:
            self.params["status"] = "Active,Revoked"

    async def _call(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        async def counted() -> Any:
            self.requests += 1
            return await fn()

        async with self.gate:
            try:
                return await self.policy.acall(counted)
            except errors.GatewayError:
                raise
            except ax.AudibleError as exc:
                if _is_size_refusal(exc):
                    raise
                raise translate(exc) from None

    async def page(self, number: int) -> tuple[str | None, Page]:
        count, body = await self._call(
            lambda: _read_page(self.client, self.url, {**self.params, "page": number})
        )
        items = body.get("items") if isinstance(body, dict) else None
        page = normalise_page(items, self.seen, self.known)
        if page.in_progress:  # ask for positions while later pages are still on their way
            self.lookups.append(asyncio.ensure_future(self.positions(list(page.in_progress))))
        return count, page

    async def pages(self) -> tuple[list[Page], int, list[dict[str, Any]]]:
        """All pages, the total Audible announced, and any paging refusal to report."""
        count, first = await self.page(1)
        pages = [first]
        notes: list[dict[str, Any]] = []
        if count is not None and str(count).strip().isdigit():
            total = int(count)
            numbers = range(2, math.ceil(total / self.page_size) + 1)
            results = await asyncio.gather(*(self.page(n) for n in numbers), return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    if _is_size_refusal(result):
                        notes.append(_size_note(total))
                        break
                    raise result
                pages.append(result[1])
            return pages, total, notes
        # No Total-Count (audible-cli would crash): walk pages until a short one.
        number = 1
        while pages[-1].count >= self.page_size and number < MAX_PAGES_WITHOUT_COUNT:
            number += 1
            try:
                pages.append((await self.page(number))[1])
            except ax.BadRequest as exc:
                if not _is_size_refusal(exc):
                    raise translate(exc) from None
                notes.append(_size_note(None))
                break
        return pages, sum(p.count for p in pages), notes

    async def positions(self, asins: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Last positions for in-progress titles, batched; a failed batch is reported."""
        batches = [asins[i : i + self.batch] for i in range(0, len(asins), self.batch)]

        async def one(batch: list[str]) -> Any:
            return await self._call(
                lambda: self.client.get(
                    "annotations/lastpositions", params={"asins": ",".join(batch)}
                )
            )

        found: dict[str, Any] = {}
        problems: list[dict[str, Any]] = []
        results = await asyncio.gather(*(one(b) for b in batches), return_exceptions=True)
        for batch, result in zip(batches, results, strict=True):
            if isinstance(result, errors.GatewayError) and result.code in (
                "audible_unavailable",
                "audible_rate_limited",
                "audible_bad_response",
            ):
                problems.append(
                    {
                        "asin": None,
                        "message": f"last positions of {len(batch)} titles unavailable: "
                        f"{result.message}",
                    }
                )
                continue
            if isinstance(result, BaseException):
                raise result
            entries = (
                result.get("asin_last_position_heard_annots") if isinstance(result, dict) else None
            )
            for entry in entries if isinstance(entries, list) else []:
                position = usable_position(entry)
                if position is not None:
                    found[position["asin"]] = position
        return found, problems


def usable_position(entry: Any) -> dict[str, Any] | None:
    """A lastpositions entry in the shape ``progress_of`` reads, or None (ignored)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("asin"), str):
        return None
    if not isinstance(entry.get("last_position_heard"), dict):
        return None
    return entry


def _size_note(total: int | None) -> dict[str, Any]:
    size = f"{total:,} titles" if total is not None else "more titles than it pages"
    return {
        "asin": None,
        "code": wire.LIBRARY_TOO_LARGE,
        "message": f"Audible refused to page past about 10,000 titles ('Implied library size "
        f"is unsupported'); the library has {size}, so this answer is incomplete.",
    }


async def fetch_library(
    upstream: Upstream,
    policy: RetryPolicy,
    auth: audible.Authenticator,
    *,
    include_revoked: bool = True,
    lastpositions_batch: int = 50,
    page_size: int = PAGE_SIZE,
    known: dict[str, Known] | None = None,
) -> Library:
    """Every page of the account's library, normalised, with positions for titles in progress
    (looked up only where the state differs from ``known``)."""
    async with upstream.async_api_client(auth) as client:
        fetch = LibraryFetch(
            client,
            policy,
            concurrency=upstream.concurrency,
            lastpositions_batch=lastpositions_batch,
            include_revoked=include_revoked,
            page_size=page_size,
            known=known,
        )
        try:
            pages, total, notes = await fetch.pages()
            looked_up = await asyncio.gather(*fetch.lookups)
        except ax.AudibleError as exc:
            raise translate(exc) from None
        finally:
            for lookup in fetch.lookups:
                lookup.cancel()
        in_progress: dict[str, dict[str, Any]] = {}
        for page in pages:
            in_progress.update(page.in_progress)
            page.in_progress = {}
        positions: dict[str, Any] = {}
        problems: list[dict[str, Any]] = []
        for found, trouble in looked_up:
            positions.update(found)
            problems.extend(trouble)
    chunks: list[bytes] = []
    problems = [*notes, *problems]
    for page in pages:
        problems.extend(page.errors)
        for entry in page.entries:
            if isinstance(entry, Pending):
                asin = entry.asin
                if asin in positions:
                    try:
                        entry.progress = progress_of(in_progress[asin], positions[asin])
                    except (TypeError, ValueError, OverflowError) as exc:
                        problems.append(
                            {"asin": asin, "message": f"unreadable last position of {asin}: {exc}"}
                        )
                entry = entry.encode()
            chunks.append(entry)
        page.entries = []
    return Library(
        items=EncodedItems(chunks),
        errors=problems,
        total=total,
        complete=not notes,
        audible_requests=fetch.requests,
    )
