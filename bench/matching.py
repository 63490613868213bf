"""Matching benchmark through the real import command, database and dry-run command.

1. Creates a fresh database (a throwaway SQLite file, or ``--database-url`` naming a fresh
   PostgreSQL database), migrates it, creates a user and imports
   ``tracker_books.goodreads.csv`` with ``manage.py import_books``.
2. Runs ``manage.py audible_match`` over the development records and scores its decisions with
   bench-data/score.py, next to the naive baseline of the matching issue (exact ISBN, else
   pg_trgm-style trigram similarity of title and author averaged: link >= 0.8, conflict
   0.3-0.8, new below) measured in the same run on the same imported books.
3. Times matching 10,000 records (the development records plus records synthesised from the
   catalogue with Audible-style title and author variations) against the 10,000 imported
   books, in a child process so its peak RSS is that of matching alone; the baseline is timed
   the same way on a sample and scaled.

    .venv/bin/python bench/matching.py [--data ../shared/bench-data] [--database-url URL]

Needs the bench data beside the repository (../shared/bench-data, or BENCH_DATA=DIR).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matching_eval  # noqa: E402

from tracker_api.matching import CatalogBook  # noqa: E402

TIMING_RECORDS = 10_000
BASELINE_TIMING_SAMPLE = 1_000


# --- step 1: a fresh database with the real import ------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-throwaway-key-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
    import django

    django.setup()


def import_catalogue(data_dir: Path) -> tuple[Any, float]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("create_user", "bench", stdout=io.StringIO())
    started = time.perf_counter()
    call_command(
        "import_books",
        "--user",
        "bench",
        str(data_dir / "tracker_books.goodreads.csv"),
        stdout=io.StringIO(),
    )
    return get_user_model().objects.get(username="bench"), time.perf_counter() - started


# --- step 2: the dry run over the development records ---------------------------------------


def dry_run(library: Path) -> list[dict[str, Any]]:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("audible_match", "--user", "bench", "--library", str(library), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def to_predictions(lines: list[dict[str, Any]], to_label: dict[str, int]) -> list[dict]:
    """audible_match lines -> score.py predictions (ids mapped through goodreads_id)."""

    def label(book: dict[str, Any] | None) -> int | None:
        return to_label.get(str(book.get("goodreads_id"))) if book else None

    return [
        {
            "asin": line["asin"],
            "decision": line["decision"],
            "book_id": label(line["book"]),
            "candidates": [label(c) for c in line["candidates"]],
        }
        for line in lines
    ]


# --- step 3: 10,000 x 10,000 timing -----------------------------------------------------------


def _last_first(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def synthesise(books: list[CatalogBook], count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Audible-shaped raw items made from catalogue books with the variations real exports
    show: "(Unabridged)", ": A Novel", ": Series, Book N", dropped leading article, series
    list, "Last, First" or "Writtenby:" authors, narrators and release dates."""
    rng = random.Random(seed)
    chosen = rng.sample(books, min(count, len(books)))
    items = []
    for n, book in enumerate(chosen):
        title = book.title
        subtitle = None
        roll = rng.random()
        if roll < 0.2:
            title += " (Unabridged)"
        elif roll < 0.35 and book.series and book.series_position:
            title += f": {book.series}, Book {book.series_position}"
        elif roll < 0.45:
            subtitle = "A Novel"
        elif roll < 0.55 and title.lower().startswith("the "):
            title = title[4:]
        authors = list((*book.authors, *(n for n, _ in book.contributors))[:2]) or ["Unknown"]
        roll = rng.random()
        if roll < 0.1:
            authors = [_last_first(a) for a in authors]
        elif roll < 0.15:
            authors = ["Writtenby:" + a.replace(" ", "") for a in authors]
        series = (
            [{"title": book.series, "sequence": book.series_position}]
            if book.series and rng.random() < 0.5
            else None
        )
        items.append(
            {
                "asin": f"BSYN{n:06d}",
                "title": title,
                "subtitle": subtitle,
                "authors": [{"name": a} for a in authors],
                "narrators": [{"name": "Some Narrator"}],
                "series": series,
                "runtime_length_min": rng.randint(60, 1800),
                "release_date": f"{rng.randint(max(book.year or 1995, 1995), 2024)}-05-01",
                "language": "English",
            }
        )
    return items


def timing_worker(books_path: Path, items_path: Path, which: str) -> dict[str, Any]:
    """Runs in a child process: index + match every item, report time and peak RSS."""
    from audible_contract.items import normalize_item
    from tracker_api.matching import build_index
    from tracker_api.matching import decide
    from tracker_api.matching import propose

    books = [CatalogBook(**row) for row in json.loads(books_path.read_text(encoding="utf-8"))]
    items = [normalize_item(raw) for raw in json.loads(items_path.read_text(encoding="utf-8"))]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu_started = time.process_time()
    if which == "engine":
        index = build_index(books)
        built = time.perf_counter()
        decisions = [decide(propose(item, index)).kind for item in items]
    else:
        baseline = matching_eval.TrigramBaseline(books)
        built = time.perf_counter()
        decisions = [baseline.match(item)["decision"] for item in items]
    done = time.perf_counter()
    return {
        "records": len(items),
        "books": len(books),
        "index_s": built - started,
        "match_s": done - built,
        "total_s": done - started,
        "cpu_s": time.process_time() - cpu_started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before / 1024,
        "linked": decisions.count("linked"),
    }


def run_timing(books: list[CatalogBook], dev_raw: list[dict], workdir: Path, which: str,
               count: int) -> dict[str, Any]:  # fmt: skip
    synthetic = synthesise(books, count - len(dev_raw))
    raw_items = (dev_raw + synthetic)[:count]
    books_path = workdir / "books.json"
    items_path = workdir / f"items.{which}.json"
    books_path.write_text(json.dumps([asdict(b) for b in books]), encoding="utf-8")
    items_path.write_text(json.dumps(raw_items), encoding="utf-8")
    child = subprocess.run(
        [sys.executable, __file__, "--timing-worker", str(books_path), str(items_path), which],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


# --- report -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=matching_eval.DEFAULT_DATA)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a fresh, empty database (default: a throwaway SQLite file)",
    )
    parser.add_argument("--timing-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.timing_worker:
        books_path, items_path, which = args.timing_worker
        print(json.dumps(timing_worker(Path(books_path), Path(items_path), which)))
        return 0
    if not (args.data / "score.py").exists():
        print(f"bench data not found in {args.data}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp:
        workdir = Path(tmp)
        setup_django(args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}")
        from tracker_api.audible_sync.catalog import catalog_books

        user, import_s = import_catalogue(args.data)
        books = list(catalog_books(user))
        print(f"imported {len(books)} books with manage.py import_books in {import_s:.1f} s")

        scorer = matching_eval.load_scorer(args.data)
        labels = scorer.load_jsonl(str(args.data / "dev_labels.jsonl"))
        to_label = matching_eval.goodreads_to_label_ids(args.data)
        library = args.data / "audible_library.json"
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            ours = to_predictions(dry_run(library), to_label)
        dry_run_s = time.perf_counter() - started
        items = matching_eval.read_items(library)
        theirs = matching_eval.baseline_predictions(items, books, to_label)
        our_score = scorer.score(labels, ours)
        base_score = scorer.score(labels, theirs)
        print(f"dry run (manage.py audible_match) over {len(ours)} records: {dry_run_s:.1f} s\n")
        print(matching_eval.figures_table(our_score, base_score))

        dev_raw = json.loads(library.read_text(encoding="utf-8"))["items"]
        engine = run_timing(books, dev_raw, workdir, "engine", TIMING_RECORDS)
        base = run_timing(books, dev_raw, workdir, "baseline", BASELINE_TIMING_SAMPLE)
        scale = TIMING_RECORDS / base["records"]
        base_total = base["index_s"] + base["match_s"] * scale
        print(
            f"\nmatching {engine['records']:,} records x {engine['books']:,} books "
            f"(target <= 5 s, <= 300 MB):"
        )
        print(
            f"  engine   {engine['total_s']:6.2f} s  (index {engine['index_s']:.2f} s + "
            f"matching {engine['match_s']:.2f} s; CPU {engine['cpu_s']:.2f} s), "
            f"peak RSS {engine['peak_rss_mb']:.0f} MB"
        )
        print(
            f"  baseline {base_total:6.2f} s  (index {base['index_s']:.2f} s + matching "
            f"{base['match_s']:.2f} s for {base['records']:,} records, scaled x{scale:.0f}), "
            f"peak RSS {base['peak_rss_mb']:.0f} MB"
        )
        print(f"  engine is {base_total / engine['total_s']:.0f}x faster than the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
