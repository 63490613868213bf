"""``GET /1.0/library`` and friends: parameters, limits, paging, delta sync, group filtering.

Plain functions over a ``SandboxState`` that return a JSON text plus headers, so they can be
called and timed without HTTP. Serialised items are cached per (group set, ASIN) and dropped
when an item changes, so ten pages of 1,000 items cost little more than joining strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from audible_gateway.sandbox import clock
from audible_gateway.sandbox.groups import ItemProjector
from audible_gateway.sandbox.groups import parse_groups
from audible_gateway.sandbox.groups import reported_groups
from audible_gateway.sandbox.state import SandboxError
from audible_gateway.sandbox.state import SandboxState
from audible_gateway.sandbox.state import UnknownItem

SORT_FIELDS = {"Author", "Length", "Narrator", "PurchaseDate", "Title"}
DEFAULT_SORT = "-PurchaseDate"


def _validation_error(value: str, name: str, constraint: str) -> SandboxError:
    return SandboxError(
        400,
        {
            "message": f"1 validation error detected: Value '{value}' at '{name}' failed to "
            f"satisfy constraint: {constraint}"
        },
    )


def _whole_number(params: Mapping[str, str], key: str, api_name: str, default: int) -> int:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise _validation_error(
            raw, api_name, "Member must satisfy regular expression pattern: \\d+"
        )
    return int(raw)


def _statuses(raw: str | None) -> set[str]:
    if not raw:
        return {"Active"}
    values = {part.strip() for part in raw.replace("+", ",").split(",") if part.strip()}
    unknown = values - {"Active", "Revoked"}
    if unknown:
        raise _validation_error(
            raw, "status", "Member must satisfy enum value set: [Active, Revoked]"
        )
    return values


def _first_name(people: Any) -> str:
    if isinstance(people, list) and people and isinstance(people[0], dict):
        return str(people[0].get("name") or "").lower()
    return ""


def _sort_key(field: str) -> Callable[[dict[str, Any]], Any]:
    if field == "Author":
        return lambda item: (_first_name(item.get("authors")), item["asin"])
    if field == "Narrator":
        return lambda item: (_first_name(item.get("narrators")), item["asin"])
    if field == "Length":
        return lambda item: (item.get("runtime_length_min") or 0, item["asin"])
    if field == "Title":
        return lambda item: (str(item.get("title") or "").lower(), item["asin"])
    return lambda item: (str(item.get("purchase_date") or ""), item["asin"])


def _ordered(state: SandboxState, sort_by: str, with_revoked: bool) -> list[dict[str, Any]]:
    key = f"{sort_by}|{with_revoked}"
    cached = state.caches.orders.get(key)
    if cached is None:
        field = sort_by.lstrip("-")
        pool = list(state.items.values())
        if with_revoked:
            pool.extend(state.tombstones.values())
        pool.sort(key=_sort_key(field), reverse=sort_by.startswith("-"))
        cached = [item["asin"] for item in pool]
        state.caches.orders[key] = cached
    return [state.items.get(asin) or state.tombstones[asin] for asin in cached]


def _fragments(state: SandboxState, groups: frozenset[str]) -> tuple[ItemProjector, dict[str, str]]:
    caches = state.caches
    fragments = caches.fragments.get(groups)
    if fragments is None:
        if len(caches.fragments) >= 8:
            caches.fragments.pop(next(iter(caches.fragments)))
        fragments = caches.fragments[groups] = {}
    return ItemProjector(groups, state.extra_keys), fragments


def _serialise(
    items: list[dict[str, Any]], projector: ItemProjector, fragments: dict[str, str]
) -> list[str]:
    out = []
    for item in items:
        text = fragments.get(item["asin"])
        if text is None:
            text = json.dumps(projector.project(item), ensure_ascii=False)
            fragments[item["asin"]] = text
        out.append(text)
    return out


def library_page(state: SandboxState, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """One page of the library as JSON text and the headers Audible sends with it."""
    config = state.config
    num_results = _whole_number(params, "num_results", "numResults", config.default_page_size)
    if num_results > config.max_page_size:
        raise _validation_error(
            str(num_results),
            "numResults",
            f"Member must have value less than or equal to {config.max_page_size}",
        )
    page = _whole_number(params, "page", "page", 1)
    if page < 1:
        raise _validation_error(
            str(page), "page", "Member must have value greater than or equal to 1"
        )
    if page * num_results > config.page_cap:
        raise SandboxError(400, {"message": "Implied library size is unsupported"})
    statuses = _statuses(params.get("status"))
    sort_by = params.get("sort_by") or DEFAULT_SORT
    if sort_by.lstrip("-") not in SORT_FIELDS:
        raise _validation_error(
            sort_by,
            "sortBy",
            "Member must satisfy enum value set: [Author, Length, Narrator, PurchaseDate, Title]",
        )
    groups = parse_groups(params.get("response_groups"))
    since = params.get("state_token")
    purchased_after = clock.parse_timestamp(params.get("purchased_after"))
    if params.get("purchased_after") and purchased_after is None:
        raise _validation_error(params["purchased_after"], "purchasedAfter", "Must be RFC3339")
    title = (params.get("title") or "").strip().lower()
    author = (params.get("author") or "").strip().lower()
    parent = params.get("parent_asin")

    with state.lock:
        selected = _ordered(state, sort_by, "Revoked" in statuses)
        if since and since != "0":
            if not since.isdigit():
                raise _validation_error(since, "stateToken", "Member must be a timestamp")
            threshold = int(since)
            changed = state.changed_at
            selected = [i for i in selected if changed.get(i["asin"], 0) > threshold]
        selected = [i for i in selected if (i.get("status") or "Active") in statuses]
        if purchased_after is not None:
            cutoff = clock.api_timestamp(purchased_after)
            selected = [i for i in selected if str(i.get("purchase_date") or "") > cutoff]
        if title:
            selected = [i for i in selected if title in str(i.get("title") or "").lower()]
        if author:
            selected = [
                i
                for i in selected
                if any(author in str(a.get("name") or "").lower() for a in i.get("authors") or [])
            ]
        if parent:
            selected = [i for i in selected if _is_child_of(i, parent)]
        total = len(selected)
        start = (page - 1) * num_results
        window = selected[start : start + num_results]
        projector, fragments = _fragments(state, groups)
        texts = _serialise(window, projector, fragments)
        token = state.state_token
    body = (
        '{"items": ['
        + ", ".join(texts)
        + '], "response_groups": '
        + json.dumps(reported_groups(groups))
        + "}"
    )
    headers = {"Total-Count": str(total), "State-Token": token}
    if start + num_results < total:
        headers["Continuation-Token"] = str(page + 1)
    return body, headers


def _is_child_of(item: dict[str, Any], parent: str) -> bool:
    for rel in item.get("relationships") or []:
        if (
            isinstance(rel, dict)
            and rel.get("asin") == parent
            and rel.get("relationship_to_product") == "parent"
        ):
            return True
    return False


def library_item(state: SandboxState, asin: str, params: Mapping[str, str]) -> str:
    """``GET /1.0/library/{asin}``: ``{"item": …, "response_groups": […]}`` or 404."""
    groups = parse_groups(params.get("response_groups"))
    with state.lock:
        item = state.items.get(asin)
        if item is None:
            raise SandboxError(404, {"message": f"Asin {asin} not found in customer library"})
        projector, fragments = _fragments(state, groups)
        text = _serialise([item], projector, fragments)[0]
    return '{"item": ' + text + ', "response_groups": ' + json.dumps(reported_groups(groups)) + "}"


def last_positions(state: SandboxState, params: Mapping[str, str]) -> dict[str, Any]:
    """``GET /1.0/annotations/lastpositions?asins=A,B``."""
    raw = params.get("asins") or ""
    asins = [a.strip() for a in raw.replace("+", ",").split(",") if a.strip()]
    if not asins:
        raise _validation_error(raw, "asins", "Member must have length greater than or equal to 1")
    groups = parse_groups(params.get("response_groups"))
    return {
        "asin_last_position_heard_annots": [state.last_position(a) for a in asins],
        "response_groups": reported_groups(groups),
    }


def put_last_position(state: SandboxState, asin: str, body: Any) -> dict[str, Any]:
    """``PUT /1.0/lastpositions/{asin}`` with ``{acr, asin, position_ms}``."""
    if not isinstance(body, dict):
        raise SandboxError(400, {"message": "Request body must be a JSON object"})
    position = body.get("position_ms")
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise _validation_error(str(position), "positionMs", "Member must be a whole number >= 0")
    try:
        state.update_progress(asin, position_ms=position)
    except UnknownItem as exc:
        raise SandboxError(404, {"message": f"Asin {asin} not found in customer library"}) from exc
    return {}


def finished_status(state: SandboxState, params: Mapping[str, str]) -> dict[str, Any]:
    """``GET /1.0/stats/status/finished``: one record per ASIN ever marked, oldest first."""
    start = clock.parse_timestamp(params.get("start_date"))
    asin = params.get("asin")
    limit = _whole_number(params, "num_results", "numResults", 1000)
    offset = _whole_number(params, "continuation_token", "continuationToken", 0)
    with state.lock:
        records = sorted(state.finishes.values(), key=lambda r: (r.update_date, r.asin))
    if start is not None:
        cutoff = clock.api_timestamp(start)
        records = [r for r in records if r.update_date >= cutoff]
    if asin:
        records = [r for r in records if r.asin == asin]
    window = records[offset : offset + limit]
    answer: dict[str, Any] = {
        "mark_as_finished_status_list": [
            {
                "asin": r.asin,
                "event_timestamp": r.event_timestamp,
                "is_marked_as_finished": r.is_marked_as_finished,
                "update_date": r.update_date,
            }
            for r in window
        ]
    }
    if offset + limit < len(records):
        answer["continuation_token"] = str(offset + limit)
    return answer


def _interval_ids(kind: str, start: str, duration: int) -> list[str]:
    moment = clock.parse_timestamp(
        {"monthly": f"{start}-01", "daily": start, "yearly": f"{start}-01-01"}[kind]
    )
    if moment is None:
        raise _validation_error(start, f"{kind}ListeningIntervalStartDate", "Must be a date")
    ids = []
    year, month, day = moment.year, moment.month, moment.date()
    for step in range(duration):
        if kind == "monthly":
            y, m = divmod(month - 1 + step, 12)
            ids.append(f"{year + y:04d}-{m + 1:02d}")
        elif kind == "yearly":
            ids.append(f"{year + step:04d}")
        else:
            from datetime import timedelta

            ids.append((day + timedelta(days=step)).isoformat())
    return ids


def aggregates(state: SandboxState, params: Mapping[str, str]) -> dict[str, Any]:
    """``GET /1.0/stats/aggregates``: listening time per month/day/year and in total (ms)."""
    with state.lock:
        log = list(state.listening_log)
    groups = parse_groups(params.get("response_groups")) - {"always-returned"}
    answer: dict[str, Any] = {}
    widths = {"monthly": 7, "daily": 10, "yearly": 4}
    limits = {"monthly": 12, "daily": 30, "yearly": 5}
    for kind, width in widths.items():
        raw_duration = params.get(f"{kind}_listening_interval_duration")
        raw_start = params.get(f"{kind}_listening_interval_start_date")
        if raw_duration is None and raw_start is None:
            continue
        duration = _whole_number(params, f"{kind}_listening_interval_duration", "duration", 1)
        if duration > limits[kind]:
            raise _validation_error(
                str(duration),
                f"{kind}ListeningIntervalDuration",
                f"Member must have value less than or equal to {limits[kind]}",
            )
        start = raw_start or clock.now().isoformat()[:width]
        sums = dict.fromkeys(_interval_ids(kind, start, duration), 0.0)
        for stamp, listened in log:
            key = clock.api_timestamp(clock.parse_timestamp(stamp))[:width]  # type: ignore[arg-type]
            if key in sums:
                sums[key] += listened
        answer[f"aggregated_{kind}_listening_stats"] = [
            {"aggregated_sum": total, "interval_identifier": ident} for ident, total in sums.items()
        ]
    if "total_listening_stats" in groups:
        answer["aggregated_total_listening_stats"] = {
            "aggregated_sum": float(sum(listened for _, listened in log)),
            "unit": "Milliseconds",
        }
    answer["response_groups"] = sorted(groups) or ["always-returned"]
    return answer
