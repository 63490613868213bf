"""The 10,000 x 10,000 run of the speed figure, for profiling and for proving that a speed-up
changed no decision.

The inputs are the speed figure's own (``bench/matching.py``'s ``run_timing``: the development
records plus records synthesised from the catalogue, the books round-tripped through JSON as
the timing child reads them), so a profile or a digest here is of the run that is timed.

    .venv/bin/python bench/matching_profile.py                   # CPU time, peak RSS, digest
    .venv/bin/python bench/matching_profile.py --decisions FILE  # also every decision, as JSONL
    .venv/bin/python bench/matching_profile.py --profile [--top N] [--sort tottime]

The digest is a SHA-256 over every decision's ``to_dict()`` plus each listed candidate's
unrounded distance, one JSON line per record: two runs with the same digest made the same
decisions, candidates, distances, penalties, reasons and tiers.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matching as matching_bench  # noqa: E402
import matching_eval  # noqa: E402

from audible_contract.items import normalize_item  # noqa: E402
from tracker_api.matching import CatalogBook  # noqa: E402
from tracker_api.matching import Decision  # noqa: E402
from tracker_api.matching import build_index  # noqa: E402
from tracker_api.matching import decide  # noqa: E402
from tracker_api.matching import propose  # noqa: E402


def speed_inputs(data_dir: Path) -> tuple[list[CatalogBook], list[dict[str, Any]]]:
    """The books and normalised items of the speed figure, exactly as its child reads them."""
    books = matching_eval.read_goodreads_catalogue(data_dir / "tracker_books.goodreads.csv")
    library = json.loads((data_dir / "audible_library.json").read_text(encoding="utf-8"))
    dev_raw = library["items"]
    count = matching_bench.TIMING_RECORDS
    raw_items = (dev_raw + matching_bench.synthesise(books, count - len(dev_raw)))[:count]
    # The timing child gets both through JSON (tuples arrive as lists): do the same.
    rows = json.loads(json.dumps([asdict(b) for b in books]))
    items = [normalize_item(raw) for raw in json.loads(json.dumps(raw_items))]
    return [CatalogBook(**row) for row in rows], items


def run(books: list[CatalogBook], items: list[dict[str, Any]]) -> list[Decision]:
    """What the speed figure times: build the index, decide every item."""
    index = build_index(books)
    return [decide(propose(item, index)) for item in items]


def decision_lines(decisions: list[Decision]) -> list[str]:
    """One canonical JSON line per decision (see the module docstring)."""
    lines = []
    for decision in decisions:
        record = decision.to_dict()
        record["distances"] = [repr(c.distance) for c in decision.candidates]
        lines.append(json.dumps(record, sort_keys=True, ensure_ascii=True))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=matching_eval.DEFAULT_DATA)
    parser.add_argument("--decisions", type=Path, help="write every decision here (JSONL)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the run")
    parser.add_argument("--top", type=int, default=40, help="profile rows to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    args = parser.parse_args(argv)

    books, items = speed_inputs(args.data)
    # CPU time as the clock: on a shared machine wall time mostly measures the neighbours.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu_started, started = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    decisions = run(books, items)
    if profiler is not None:
        profiler.disable()
    cpu_s, wall_s = time.process_time() - cpu_started, time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = decision_lines(decisions)
    digest = hashlib.sha256("\n".join(lines).encode("ascii")).hexdigest()
    if args.decisions:
        args.decisions.write_text("\n".join(lines) + "\n", encoding="ascii")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    kinds = {k: sum(d.kind == k for d in decisions) for k in ("linked", "conflict", "new")}
    print(
        f"{len(items):,} records x {len(books):,} books: CPU {cpu_s:.2f} s, wall {wall_s:.2f} s, "
        f"peak RSS {peak_mb:.0f} MB (whole process), {kinds}"
        + (" [under cProfile]" if profiler is not None else "")
    )
    print(f"decisions sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
