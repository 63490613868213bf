"""The progress of one title: its library entry plus its last listening position."""

from __future__ import annotations

import re
from typing import Any
from typing import cast

import audible
import httpx
from audible import exceptions as ax

from audible_contract.items import MalformedItem
from audible_contract.items import normalize_item
from audible_gateway import errors
from audible_gateway.library import RESPONSE_GROUPS
from audible_gateway.library import usable_position
from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import translate
from audible_gateway.upstream import Upstream

ASIN = re.compile(r"^[A-Za-z0-9]{1,20}$")


def checked_asin(asin: str) -> str:
    if not ASIN.match(asin):
        raise errors.validation_error({"asin": "must be 1-20 letters or digits"})
    return asin.upper()


def title_progress(
    upstream: Upstream, policy: RetryPolicy, auth: audible.Authenticator, asin: str
) -> dict[str, Any]:
    """``{"asin", "status", "progress", "item"}`` for one title of the account."""
    asin = checked_asin(asin)
    with upstream.api_client(auth) as client:
        try:
            answer = policy.call(
                lambda: client.get(f"library/{asin}", params={"response_groups": RESPONSE_GROUPS})
            )
            positions = policy.call(
                lambda: client.get("annotations/lastpositions", params={"asins": asin})
            )
        except ax.NotFoundError:
            raise errors.GatewayError(
                "title_not_found", f"Title {asin} is not in this Audible library.", 404
            ) from None
        except (ax.AudibleError, httpx.HTTPError) as exc:
            raise translate(exc) from None
    raw = answer.get("item") if isinstance(answer, dict) else None
    position = None
    entries = (
        positions.get("asin_last_position_heard_annots") if isinstance(positions, dict) else None
    )
    for entry in entries if isinstance(entries, list) else []:
        if (found := usable_position(entry)) is not None and found["asin"] == asin:
            position = found
    try:
        item = normalize_item(cast("dict[str, Any]", raw), position)  # non-dicts raise inside
    except MalformedItem as exc:
        raise errors.bad_upstream(exc.reason) from None
    return {
        "asin": item["asin"],
        "status": item["status"],
        "progress": item["progress"],
        "item": item,
    }
