"""The demo's second listener: Sam shares the demo Audible login, Sam's books are in the
Audible collection "Sam", and the report says which titles went to whom.

Everything goes through the real interfaces: the sandbox's control API makes the collection
(the demo has no signed Audible client), the tracker's REST API makes the household, invites
Sam, Sam accepts, and the owner maps the collection. Safe to run again on the same database.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

SECOND_LISTENER = "sam"
COLLECTION = "Sam"
# Harry Potter 1-4 and The Hunger Games 1-2: the family's younger listener.
SAM_TITLES = [
    "B0AXFG8RRU",
    "B052PHLGDJ",
    "B0T0YFZYP0",
    "B0CXYBEO2Z",
    "B0E9YIRLYQ",
    "B0Q1V4P04Q",
]
TIMEOUT = 30


def _api(url: str, token: str, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"{url}{path}",
        json=body,
        headers={"Authorization": f"Token {token}"},
        timeout=TIMEOUT,
    )


def set_up(tracker_url: str, sandbox_url: str, owner_token: str, sam_token: str) -> None:
    """The collection at the sandbox, and the household with Sam in it and Sam's collection."""
    made = requests.post(
        f"{sandbox_url}/__sandbox/collections",
        json={"name": COLLECTION, "asins": SAM_TITLES},
        timeout=TIMEOUT,
    )
    made.raise_for_status()
    if _api(tracker_url, owner_token, "GET", "/api/household").status_code == 404:
        _api(tracker_url, owner_token, "POST", "/api/household", {"name": "The demo family"})
    members = _api(tracker_url, owner_token, "GET", "/api/household").json()["members"]
    if SECOND_LISTENER not in {m["username"] for m in members}:
        invited = _api(
            tracker_url,
            owner_token,
            "POST",
            "/api/household/invitations",
            {"username": SECOND_LISTENER},
        )
        invited.raise_for_status()
        accept = f"/api/household/invitations/{invited.json()['id']}/accept"
        _api(tracker_url, sam_token, "POST", accept).raise_for_status()
        members = _api(tracker_url, owner_token, "GET", "/api/household").json()["members"]
    sam = next(m["id"] for m in members if m["username"] == SECOND_LISTENER)
    mapped = _api(tracker_url, owner_token, "GET", "/api/household/collections").json()
    if not any(m["collection_name"] == COLLECTION for m in mapped):
        _api(
            tracker_url,
            owner_token,
            "POST",
            "/api/household/collections",
            {"collection_name": COLLECTION, "person": sam},
        ).raise_for_status()


def report_lines(owner: str) -> list[str]:
    """Which titles went to whom, and why (Django must be set up)."""
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.models import AudibleConflict
    from tracker_api.households.models import TitleRoute

    routes = TitleRoute.objects.filter(household__connection__user__username=owner)
    counts = Counter(
        (person or "nobody yet", reason)
        for person, reason in routes.values_list("person__username", "reason")
    )
    out = ["Which titles went to whom (one Audible login, one library fetch):"]
    for (person, reason), n in sorted(counts.items()):
        out.append(f"  - {person}: {n} title(s), reason {reason}")
    sams = {
        asin: (item or {}).get("title") or asin
        for model in (AudibleBookMapping, AudibleConflict)
        for asin, item in model.objects.filter(user__username=SECOND_LISTENER).values_list(
            "asin", "item"
        )
    }
    out.append(f'{SECOND_LISTENER}\'s tracker (the Audible collection "{COLLECTION}"):')
    out.extend(f"  - {title}" for title in sorted(sams.values()))
    return out
