"""Read the Audible library files people already have on disk into normalised items.

Accepted, told apart by content rather than by file name:

* a JSON list of Audible library items (the API shape, as the sandbox serves them);
* a full ``/1.0/library`` response (``{"items": [...], ...}``);
* an audible-cli ``library export`` in JSON (a list of flat rows), CSV or TSV, with the
  columns asin, title, subtitle, authors, narrators, series_title, series_sequence, ...

Every item goes through ``audible_contract.items.normalize_item`` so the tracker sees one
shape whatever the source. A row that cannot be read is reported, never a crash.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from audible_contract.items import MalformedItem
from audible_contract.items import normalize_item

EXPORT_COLUMNS = (
    "asin", "title", "subtitle", "extended_product_description", "authors", "narrators",
    "series_title", "series_sequence", "genres", "runtime_length_min", "is_finished",
    "percent_complete", "rating", "num_ratings", "date_added", "release_date", "cover_url",
    "purchase_date",
)  # fmt: skip
_TRUE = {"true", "1", "yes", "y"}


class LibraryFileError(ValueError):
    """The file as a whole cannot be read (not JSON, not CSV/TSV, no items)."""


def _is_export_row(row: dict[str, Any]) -> bool:
    """audible-cli rows are flat: authors is text, series comes as series_title."""
    return "series_title" in row or isinstance(row.get("authors"), str)


def _flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def export_row_to_item(row: dict[str, Any]) -> dict[str, Any]:
    """One audible-cli export row -> an API-shaped item normalize_item understands."""
    series_title = (row.get("series_title") or "").strip()
    raw: dict[str, Any] = {
        "asin": row.get("asin"),
        "title": row.get("title"),
        "subtitle": row.get("subtitle") or None,
        "authors": row.get("authors") or "",
        "narrators": row.get("narrators") or "",
        "series": (
            [{"title": series_title, "sequence": (row.get("series_sequence") or "").strip()}]
            if series_title
            else None
        ),
        "runtime_length_min": row.get("runtime_length_min") or None,
        "release_date": row.get("release_date") or None,
        "purchase_date": row.get("purchase_date") or row.get("date_added") or None,
        "percent_complete": row.get("percent_complete") or None,
        "is_finished": _flag(row.get("is_finished")),
    }
    return raw


def _normalise(raws: list[Any], errors: list[dict[str, Any]], first_line: int | None) -> list:
    items = []
    for offset, raw in enumerate(raws):
        try:
            if isinstance(raw, dict) and _is_export_row(raw):
                raw = export_row_to_item(raw)
            items.append(normalize_item(raw))
        except MalformedItem as exc:
            where: dict[str, Any] = (
                {"line": first_line + offset} if first_line is not None else {"asin": exc.asin}
            )
            errors.append({**where, "reason": exc.reason})
    return items


def parse_library_text(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """File contents -> (normalised items, per-row errors)."""
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    errors: list[dict[str, Any]] = []
    if not stripped:
        raise LibraryFileError("the file is empty")
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise LibraryFileError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        if isinstance(data, dict):
            if not isinstance(data.get("items"), list):
                raise LibraryFileError("a JSON object needs an 'items' list (a /1.0/library reply)")
            data = data["items"]
        if not isinstance(data, list):
            raise LibraryFileError("expected a JSON list of library items")
        return _normalise(data, errors, None), errors
    header = stripped.splitlines()[0]
    delimiter = "\t" if "\t" in header else ","
    reader = csv.DictReader(io.StringIO(stripped), delimiter=delimiter)
    if not reader.fieldnames or "asin" not in reader.fieldnames:
        raise LibraryFileError("expected an audible-cli library export with an 'asin' column")
    rows = list(reader)
    # Line 1 is the header, so the first row is on line 2.
    return _normalise(rows, errors, 2), errors


def read_library_file(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read ``path`` (any format above) -> (normalised items, per-row errors)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryFileError("the file is not UTF-8 text") from exc
    return parse_library_text(text)
