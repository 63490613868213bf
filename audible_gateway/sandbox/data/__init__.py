"""Bundled sandbox data: the sample library, the demo tracker export, generator word lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
SAMPLE_LIBRARY = DATA_DIR / "sample_library.json"
DEMO_GOODREADS_EXPORT = DATA_DIR / "demo_goodreads_export.csv"


def sample_library() -> list[dict[str, Any]]:
    """The ~40-title sample library (fresh copies on every call)."""
    from audible_gateway.sandbox.loading import load_library

    return load_library(SAMPLE_LIBRARY)
