"""Reading library files: a JSON list of raw Audible items or an object with ``items``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_library(path: str | Path) -> list[dict[str, Any]]:
    """Items from ``path``; accepts ``[...]`` or ``{"items": [...]}`` (an API page or export)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"{path}: expected a JSON list of items or an object with an items list")
    return items
