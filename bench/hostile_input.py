"""Time every parser that reads a person's or Audible's text on pathological inputs.

For each target (a parser, as the importer, the library-file reader, the search or the
matcher calls it) and each shape of ``tests/hardening/hostile_shapes.py`` (long runs of one
character, nested brackets, ``#``/``(``/``)`` alternations, every Unicode category...), the
time on 10 KB, 100 KB and 1 MiB of it. A table row is the slowest shape of its target.
Linear work grows about 10x per column; quadratic work 100x (and a cell that needs more than
``--timeout`` seconds is shown as ``> T s`` and its larger sizes are not tried).

    .venv/bin/python bench/hostile_input.py [--timeout 10] [--only split_series,...]

Each target runs in a child process so a runaway cell can be stopped without waiting for it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hardening.hostile_shapes import KB  # noqa: E402
from tests.hardening.hostile_shapes import SHAPES  # noqa: E402
from tests.hardening.hostile_shapes import MiB  # noqa: E402
from tests.hardening.hostile_shapes import seconds  # noqa: E402

SIZES = (10 * KB, 100 * KB, MiB)
SIZE_LABELS = {10 * KB: "10 KB", 100 * KB: "100 KB", MiB: "1 MiB"}
GOODREADS_FIELDS = (
    "Book Id", "Title", "Author", "Additional Authors", "ISBN", "ISBN13", "Exclusive Shelf",
    "Original Publication Year", "Year Published", "Number of Pages", "Date Read",
)  # fmt: skip
STORYGRAPH_FIELDS = ("Title", "Authors", "ISBN/UID", "Read Status", "Dates Read", "Last Date Read")
ITEM_TEXT = ("title", "subtitle", "isbn", "language", "release_date", "content_type", "status")


# --------------------------------------------------------------------------- targets
def _setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    os.environ.setdefault("SECRET_KEY", "bench-only-throwaway-key-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
    import django

    django.setup()


def _row_reader(module: Any) -> Callable[[dict[str, str]], Any]:
    """The importer's per-row path: the bounded reader when there is one (after #15), else
    what the runner did before (parse the row, then check the lengths)."""
    from tracker_api.books.importers import runner
    from tracker_api.books.importers.records import RowError

    read_row = getattr(runner, "read_row", None)

    def read(row: dict[str, str]) -> Any:
        try:
            if read_row is not None:
                return read_row(module, row, 2)
            record = module.parse_row(row, 2)
            runner.enforce_lengths(record)
            return record
        except RowError as exc:
            return exc

    return read


def _fields(
    base: dict[str, str], names: tuple[str, ...], read: Callable[[Any], Any]
) -> Callable[[str], None]:
    def run(text: str) -> None:
        for name in names:
            read({**base, name: text})

    return run


def _library_csv(text: str) -> None:
    from tracker_api.audible_sync.library_files import EXPORT_COLUMNS
    from tracker_api.audible_sync.library_files import LibraryFileError
    from tracker_api.audible_sync.library_files import parse_library_text

    for column in EXPORT_COLUMNS:
        row = {name: "" for name in EXPORT_COLUMNS} | {"asin": "B000000001", "title": "T"}
        row[column] = text
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
        with contextlib.suppress(LibraryFileError):
            parse_library_text(out.getvalue())


def _library_json(text: str) -> None:
    from tracker_api.audible_sync.library_files import LibraryFileError
    from tracker_api.audible_sync.library_files import parse_library_text

    base: dict[str, Any] = {"asin": "B000000001", "title": "T"}
    variants: list[dict[str, Any]] = [{**base, key: text} for key in ITEM_TEXT]
    variants += [
        {**base, "authors": [{"name": text}]},
        {**base, "narrators": [{"name": text}]},
        {**base, "series": [{"title": text, "sequence": text}]},
    ]
    for item in variants:
        with contextlib.suppress(LibraryFileError):
            parse_library_text(json.dumps([item]))


def _match_item(text: str) -> None:
    from audible_contract.items import MalformedItem
    from audible_contract.items import normalize_item
    from tracker_api.matching import SourceItem
    from tracker_api.matching.prepared import prepare_item

    base = {"asin": "B000000001", "title": "T"}
    for raw in (
        {**base, "title": text},
        {**base, "subtitle": text},
        {**base, "authors": [{"name": text}]},
        {**base, "series": [{"title": text, "sequence": text}]},
    ):
        with contextlib.suppress(MalformedItem):
            prepare_item(SourceItem.from_item(normalize_item(raw)))


def _match_book(text: str) -> None:
    from tracker_api.matching import CatalogBook
    from tracker_api.matching.prepared import prepare_book

    books: tuple[dict[str, Any], ...] = (
        {"title": text},
        {"title": "T", "subtitle": text},
        {"title": "T", "authors": (text,)},
        {"title": "T", "series": text, "series_position": text},
    )
    for fields in books:
        prepare_book(CatalogBook(id=1, **{"title": "T", **fields}))


def _search(text: str) -> None:
    from tracker_api.books.models import Book
    from tracker_api.books.search import filter_by_search

    str(filter_by_search(Book.objects.all(), text).query)


def _sandbox_series(text: str) -> None:
    from audible_gateway.sandbox import library_gen

    split = getattr(library_gen, "split_goodreads_title", None)
    if split is not None:
        split(text)
    else:
        library_gen.SERIES_RE.match(text)  # type: ignore[attr-defined]  # before #15


def targets() -> dict[str, Callable[[str], Any]]:
    """Name -> one call on the text; each is what the system runs on a field of that size."""
    _setup_django()
    from tracker_api.books import isbn
    from tracker_api.books import text as book_text
    from tracker_api.books.importers import goodreads
    from tracker_api.books.importers import storygraph
    from tracker_api.books.importers.records import split_series

    goodreads_row = {name: "" for name in GOODREADS_FIELDS} | {
        "Book Id": "1",
        "Title": "T",
        "Author": "A",
        "Exclusive Shelf": "read",
    }
    storygraph_row = {name: "" for name in STORYGRAPH_FIELDS} | {
        "Title": "T",
        "Authors": "A",
        "Read Status": "read",
    }

    def clean_isbn(text: str) -> None:
        with contextlib.suppress(isbn.InvalidIsbn):
            isbn.clean_isbn(text)

    return {
        "split_series (Title)": split_series,
        "Goodreads row: Title": _fields(goodreads_row, ("Title",), _row_reader(goodreads)),
        "Goodreads row: every field": _fields(
            goodreads_row, GOODREADS_FIELDS, _row_reader(goodreads)
        ),
        "StoryGraph row: every field": _fields(
            storygraph_row, STORYGRAPH_FIELDS, _row_reader(storygraph)
        ),
        "library file CSV: every column": _library_csv,
        "library file JSON: every field": _library_json,
        "matching: Audible item": _match_item,
        "matching: catalogue book": _match_book,
        "search text (fold)": lambda t: book_text.search_text(t, [t]),
        "search query (SQL built)": _search,
        "ISBN cell": clean_isbn,
        "sandbox: Goodreads title": _sandbox_series,
    }


# --------------------------------------------------------------------------- child
def child(name: str, cells: list[tuple[str, int]]) -> None:
    work = targets()[name]
    print(json.dumps("ready"), flush=True)
    for shape, size in cells:
        text = SHAPES[shape](size)
        try:
            took: float | str = seconds(lambda: work(text))  # noqa: B023 - called at once
        except Exception as exc:  # a crash on hostile text is a finding: reported, not fatal
            took = f"{type(exc).__name__}"
        print(json.dumps([shape, size, took]), flush=True)


# --------------------------------------------------------------------------- parent
def run_target(
    name: str, timeout: float, errors: dict[str, str]
) -> dict[tuple[str, int], float | None]:
    """(shape, size) -> seconds, or None for a cell stopped after ``timeout`` seconds; the
    exceptions a cell raised go into ``errors`` (exception name -> first shape)."""
    results: dict[tuple[str, int], float | None] = {}
    pending = [(shape, size) for size in SIZES for shape in SHAPES]
    while pending:
        stopped_shapes = {shape for (shape, _), took in results.items() if took is None}
        pending = [cell for cell in pending if cell[0] not in stopped_shapes]
        if not pending:
            break
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", name, "--cells", json.dumps(pending)],
            stdout=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: Any = process.stdout, out: queue.Queue[str | None] = lines) -> None:
            for line in stream:
                out.put(line)
            out.put(None)

        threading.Thread(target=pump, daemon=True).start()
        if lines.get(timeout=120) is None:  # "ready": Django is set up in the child
            raise RuntimeError(f"the child for {name!r} failed to start")
        while pending:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                line = "timeout"
            if line is None:
                break
            if line == "timeout" or not line.strip():
                results[pending[0]] = None
                process.kill()
                process.wait()
                pending = pending[1:]
                break
            shape, size, took = json.loads(line)
            cell = (shape, size)
            if isinstance(took, str):
                errors.setdefault(took, shape)
                took = 0.0
            results[cell] = took if took <= timeout else None
            pending.remove(cell)
            if took > timeout:
                process.kill()
                process.wait()
                break
        else:
            process.wait()
    # A shape stopped at one size is slower still at the larger ones.
    for (shape, size), took in list(results.items()):
        if took is None:
            for larger in SIZES:
                if larger > size:
                    results[(shape, larger)] = None
    return results


def _cell(took: float | None, timeout: float) -> str:
    if took is None:
        return f"> {timeout:g} s"
    return f"{took * 1000:.1f} ms" if took < 1 else f"{took:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cells", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, [tuple(c) for c in json.loads(args.cells)])
        return
    names = list(targets())
    if args.only:
        names = [n for n in names if any(part in n for part in args.only.split(","))]
    started = time.monotonic()
    header = ["target (slowest shape)", *(SIZE_LABELS[s] for s in SIZES), "x per 10x size"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name in names:
        errors: dict[str, str] = {}
        results = run_target(name, args.timeout, errors)
        worst: dict[int, tuple[float, str]] = {}
        for (shape, size), took in results.items():
            value = float("inf") if took is None else took
            if size not in worst or value > worst[size][0]:
                worst[size] = (value, shape)
        skipped = {s for s in SIZES if s not in worst}
        cells = []
        for size in SIZES:
            if size in skipped:
                cells.append("not tried")
                continue
            value, shape = worst[size]
            cells.append(f"{_cell(None if value == float('inf') else value, args.timeout)}")
        small, large = worst.get(10 * KB), worst.get(100 * KB)
        factor = (
            f"{large[0] / max(small[0], 1e-6):.0f}"
            if small and large and large[0] != float("inf")
            else "-"
        )
        slowest = worst[max(worst)][1] if worst else "-"
        crashed = "".join(f"; raised {e} on {shape}" for e, shape in errors.items())
        print(" | ".join([f"{name} ({slowest}{crashed})", *cells, factor]), flush=True)
    print(f"\n({time.monotonic() - started:.0f} s; timeout {args.timeout:g} s per cell)")


if __name__ == "__main__":
    main()
