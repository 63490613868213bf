"""Build the fuzz suite's world in the database a *served* tracker uses, from outside it.

Run as ``python -m tests.hardening.tracker.http_world BLOB`` with the served tracker's own
environment (``Live.manage``-style: same DATABASE_URL or TRACKER_VAR_DIR, gateway, secrets):
the same ``build_world`` the in-process fuzz test uses (a real sync through the live gateway,
books, conflicts, another person's objects), committed, and its ids and tokens printed as one
JSON line for the test process, which has no connection to that database.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from typing import Any


def world_as_json(blob: str) -> dict[str, Any]:
    """The world's ids, tokens and blob (people as their primary keys)."""
    from tests.hardening.tracker.conftest import build_world

    world = build_world(blob)
    data = {f.name: getattr(world, f.name) for f in fields(world)}
    return {**data, "owner": world.owner.pk, "outsider": world.outsider.pk}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    print(json.dumps(world_as_json(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
