"""Django-free evaluation of the matching engine on the bench-data development set.

Reads the Goodreads-layout catalogue straight into CatalogBooks, matches every development
record, scores the decisions with bench-data/score.py, and does the same for the naive
baseline of the matching issue (exact ISBN, else pg_trgm-style trigram similarity of title
and author averaged: link >= 0.8, conflict 0.3-0.8, new below) in the same run.

    .venv/bin/python bench/matching_eval.py [--data DIR] [--out DIR] [--misses]
                                            [--no-cv] [--no-speed]

By default it also prints the 5-fold cross-validation (``bench/matching_cv.py``: thresholds
tuned on four folds and measured on the fifth, per-fold figures, spread and the baseline per
fold, and an ablation of every rule) and times 10,000 records x 10,000 books in a child
process (``bench/matching.py``'s timing), so this one command prints every figure.

``bench/matching.py`` measures the same through the real import command and database.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import sys
import time
from collections import Counter
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audible_contract.items import MalformedItem  # noqa: E402
from audible_contract.items import normalize_item  # noqa: E402
from tracker_api.books.credits import contributors_of  # noqa: E402
from tracker_api.books.credits import split_credits  # noqa: E402
from tracker_api.matching import CatalogBook  # noqa: E402
from tracker_api.matching import MatchConfig  # noqa: E402
from tracker_api.matching import build_index  # noqa: E402
from tracker_api.matching import decide  # noqa: E402
from tracker_api.matching import propose  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import matching_cv  # noqa: E402


def _find_data() -> Path:
    """BENCH_DATA, else the nearest ``shared/bench-data`` beside the repository or above it
    (a worktree may sit deeper than the main checkout)."""
    if os.environ.get("BENCH_DATA"):
        return Path(os.environ["BENCH_DATA"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "bench-data"
        if (candidate / "score.py").exists():
            return candidate
    return ROOT.parent / "shared" / "bench-data"


DEFAULT_DATA = _find_data()
_SERIES_SUFFIX = re.compile(r"\s*\(([^()]*?),?\s*#\s*([\d.]+(?:\s*-\s*[\d.]+)?)[^()]*\)\s*$")


def split_goodreads_title(title: str) -> tuple[str, str | None, str | None]:
    """'The Hunger Games (The Hunger Games, #1)' -> ('The Hunger Games', 'The Hunger Games',
    '1'); the first series wins when several are listed ('(Discworld, #1; Rincewind #1)')."""
    match = re.search(r"\s*\(([^()]*#[^()]*)\)\s*$", title)
    if not match:
        return title.strip(), None, None
    first = match.group(1).split(";")[0].strip()
    series_match = re.match(r"(.*?),?\s*#\s*([\d.]+(?:\s*-\s*[\d.]+)?)\s*$", first)
    if not series_match:
        return title.strip(), None, None
    return (
        title[: match.start()].strip(),
        series_match.group(1).strip() or None,
        series_match.group(2).replace(" ", ""),
    )


def _goodreads_isbn(value: str) -> str | None:
    text = re.sub(r'^="?|"$', "", (value or "").strip()).strip()
    return text or None


def read_goodreads_catalogue(path: Path) -> list[CatalogBook]:
    """A Goodreads library export -> CatalogBooks (id and goodreads_id = 'Book Id')."""
    books = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            title, series, position = split_goodreads_title(row["Title"])
            # As the importer reads them: "Author" is the author, "Additional Authors" are
            # contributors (role "" unless the name carries one).
            authors, marked = split_credits([row.get("Author") or ""])
            others = [a for a in (row.get("Additional Authors") or "").split(",") if a.strip()]
            contributors = marked + [c for c in contributors_of(others) if c not in marked]
            year_text = row.get("Original Publication Year") or row.get("Year Published") or ""
            year = int(year_text) if re.fullmatch(r"-?\d{1,4}", year_text.strip()) else None
            books.append(
                CatalogBook(
                    id=row["Book Id"],
                    title=title,
                    authors=tuple(a for a in authors if a),
                    contributors=tuple((c["name"], c["role"]) for c in contributors),
                    isbn10=_goodreads_isbn(row.get("ISBN", "")),
                    isbn13=_goodreads_isbn(row.get("ISBN13", "")),
                    series=series,
                    series_position=position,
                    year=year,
                    goodreads_id=row["Book Id"],
                )
            )
    return books


def read_items(path: Path) -> list[dict[str, Any]]:
    """bench-data audible_library.json -> normalised items (extra _source/_raw ignored)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    raw_items = data["items"] if isinstance(data, dict) else data
    items = []
    for raw in raw_items:
        try:
            items.append(normalize_item(raw))
        except MalformedItem as exc:
            print(f"skipped {exc.asin}: {exc.reason}", file=sys.stderr)
    return items


def load_scorer(data_dir: Path) -> Any:
    """bench-data/score.py as a module (its ``score`` and ``table``)."""
    spec = importlib.util.spec_from_file_location("bench_score", data_dir / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {data_dir / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def goodreads_to_label_ids(data_dir: Path) -> dict[str, int]:
    """Goodreads Book Id -> tracker_books.csv book_id (the labels' id space)."""
    with (data_dir / "tracker_books.csv").open(encoding="utf-8", newline="") as handle:
        return {row["goodreads_book_id"]: int(row["book_id"]) for row in csv.DictReader(handle)}


# --- the engine ---------------------------------------------------------------------------------


def engine_predictions(
    items: list[dict[str, Any]],
    books: list[CatalogBook],
    to_label: dict[str, int],
    config: MatchConfig | None = None,
) -> list[dict[str, Any]]:
    """One prediction per item in score.py's format."""
    index = build_index(books)
    out = []
    for item in items:
        decision = decide(propose(item, index, config), config)
        out.append(
            {
                "asin": item["asin"],
                "decision": decision.kind,
                "book_id": to_label.get(str(decision.book.goodreads_id)) if decision.book else None,
                "candidates": [to_label.get(str(c.book.goodreads_id)) for c in decision.candidates],
                "_detail": decision.to_dict(),
            }
        )
    return out


# --- the naive baseline -------------------------------------------------------------------------


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams: lower-cased words, each padded with two spaces before, one after."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm similarity(): shared trigrams over all distinct trigrams of both."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def goodreads_title(book: CatalogBook) -> str:
    """The title as a Goodreads export writes it, series suffix included ("Tripwire (Jack
    Reacher, #3)"): what a naive importer stores, and what reproduces the issue's reference
    figures for the baseline (0.6% wrong links, 52% recall, 49% conflicts)."""
    if book.series and book.series_position:
        return f"{book.title} ({book.series}, #{book.series_position})"
    if book.series:
        return f"{book.title} ({book.series})"
    return book.title


class TrigramBaseline:
    """Exact ISBN, else the book with the best mean of title and author trigram similarity."""

    def __init__(self, books: list[CatalogBook]) -> None:
        self.books = books
        self.titles = [trigrams(goodreads_title(b)) for b in books]
        # Everyone the export credits, as the baseline compared them.
        self.authors = [
            trigrams(", ".join((*b.authors, *(n for n, _ in b.contributors)))) for b in books
        ]
        self.by_isbn: dict[str, int] = {}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for n, book in enumerate(books):
            for isbn in (book.isbn10, book.isbn13):
                if isbn:
                    self.by_isbn.setdefault(isbn, n)
            for gram in self.titles[n] | self.authors[n]:
                self.postings[gram].append(n)

    def match(self, item: dict[str, Any]) -> dict[str, Any]:
        isbn = item.get("isbn")
        if isbn and isbn in self.by_isbn:
            book = self.books[self.by_isbn[isbn]]
            return {"decision": "linked", "book": book, "candidates": [book]}
        title = trigrams(item.get("title") or "")
        author = trigrams(", ".join(item.get("authors") or []))
        seen = {n for gram in title | author for n in self.postings.get(gram, ())}
        scored = sorted(
            (
                -(
                    trigram_similarity(title, self.titles[n])
                    + trigram_similarity(author, self.authors[n])
                )
                / 2,
                n,
            )
            for n in seen
        )
        top = [self.books[n] for _, n in scored[:5]]
        best = -scored[0][0] if scored else 0.0
        if best >= 0.8:
            return {"decision": "linked", "book": top[0], "candidates": top}
        if best >= 0.3:
            return {"decision": "conflict", "book": None, "candidates": top}
        return {"decision": "new", "book": None, "candidates": top}


def baseline_predictions(
    items: list[dict[str, Any]], books: list[CatalogBook], to_label: dict[str, int]
) -> list[dict[str, Any]]:
    baseline = TrigramBaseline(books)
    out = []
    for item in items:
        result = baseline.match(item)
        book = result["book"]
        out.append(
            {
                "asin": item["asin"],
                "decision": result["decision"],
                "book_id": to_label.get(str(book.goodreads_id)) if book else None,
                "candidates": [to_label.get(str(b.goodreads_id)) for b in result["candidates"]],
            }
        )
    return out


# --- report -------------------------------------------------------------------------------------

FIGURES = [
    ("wrong-link rate (all records)", "wrong_link_rate", "<= 0.005"),
    ("auto-link recall (matchable)", "link_recall", ">= 0.92"),
    ("true book in top 3 (conflicts)", "conflict_top3_recall", ">= 0.98"),
    ("share sent to conflicts", "conflict_rate", "<= 0.12"),
    ("auto-link precision", "link_precision", ""),
    ('"new" precision', "new_precision", ""),
]


def figures_table(ours: dict[str, Any], baseline: dict[str, Any]) -> str:
    """Our figures next to the baseline's, with the issue's targets."""
    lines = [f"{'figure':<34} {'engine':>8} {'baseline':>9}  target"]
    for label, key, target in FIGURES:
        a, b = ours.get(key), baseline.get(key)
        lines.append(
            f"{label:<34} {_pct(a):>8} {_pct(b):>9}  {target}",
        )
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def print_misses(preds: list[dict[str, Any]], labels: list[dict[str, Any]], items: list) -> None:
    """Every record the engine got wrong or sent to review, grouped by what happened."""
    by_asin = {i["asin"]: i for i in items}
    label_of = {entry["asin"]: entry for entry in labels}
    groups: dict[str, list[str]] = defaultdict(list)
    for pred in preds:
        label = label_of.get(pred["asin"])
        if label is None:
            continue
        truth = label.get("book_id")
        item = by_asin[pred["asin"]]
        kind = pred["decision"]
        if kind == "linked" and pred["book_id"] == truth:
            continue
        if kind == "new" and truth is None:
            continue
        what = f"{kind}/{'matchable' if truth else 'not-in-catalogue'}"
        if kind == "linked":
            what = "WRONG LINK" + ("" if truth else " (not in catalogue)")
        if kind == "conflict" and truth and truth not in pred["candidates"][:3]:
            what = "conflict/true book not in top 3"
        detail = pred["_detail"]
        cands = "; ".join(
            f"{c['title']} / {', '.join(c['authors'][:2])} d={c['distance']:.3f} "
            f"[{', '.join(c['reasons'])}]"
            + (" <TRUE>" if truth and pred["candidates"][n] == truth else "")
            for n, c in enumerate(detail["candidates"][:3])
        )
        groups[what].append(
            f"  {item['title']!r} / {item['authors'][:2]} ({label.get('difficulty')}: "
            f"{label.get('why')})\n     -> {cands}"
        )
    for what, rows in sorted(groups.items()):
        print(f"\n== {what}: {len(rows)}")
        print("\n".join(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--misses", action="store_true", help="list every miss by category")
    parser.add_argument("--config", type=json.loads, default=None, help="MatchConfig overrides")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--no-speed", action="store_true", help="skip the 10,000 x 10,000 timing")
    args = parser.parse_args(argv)
    if not (args.data / "score.py").exists():
        print(f"bench data not found in {args.data}", file=sys.stderr)
        return 2
    scorer = load_scorer(args.data)
    books = read_goodreads_catalogue(args.data / "tracker_books.goodreads.csv")
    items = read_items(args.data / "audible_library.json")
    labels = scorer.load_jsonl(str(args.data / "dev_labels.jsonl"))
    to_label = goodreads_to_label_ids(args.data)
    config = MatchConfig.from_dict(args.config) if args.config else None

    started = time.perf_counter()
    ours = engine_predictions(items, books, to_label, config)
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = baseline_predictions(items, books, to_label)
    baseline_s = time.perf_counter() - started

    args.out.mkdir(parents=True, exist_ok=True)
    for name, preds in (("engine", ours), ("baseline", theirs)):
        with (args.out / f"dev_predictions.{name}.jsonl").open("w", encoding="utf-8") as handle:
            for pred in preds:
                handle.write(json.dumps({k: v for k, v in pred.items() if k != "_detail"}) + "\n")
    our_score = scorer.score(labels, ours)
    base_score = scorer.score(labels, theirs)
    print(f"development set: {len(items)} records, catalogue {len(books)} books")
    print(f"engine {engine_s:.2f} s (index + matching), baseline {baseline_s:.2f} s\n")
    print(figures_table(our_score, base_score))
    print("\nengine, as score.py reports it:\n" + scorer.table(our_score))
    print("\nbaseline, as score.py reports it:\n" + scorer.table(base_score))
    print(f"\npredictions written to {args.out}/dev_predictions.{{engine,baseline}}.jsonl")
    if not args.no_cv:
        print()
        print(
            matching_cv.run(
                scorer,
                labels,
                items,
                books,
                to_label,
                theirs,
                config or MatchConfig(),
                progress=lambda what: print(f"  ... {what}", file=sys.stderr),
            )
        )
    if not args.no_speed:
        print("\n" + speed_report(books, args.data))
    if args.misses:
        print_misses(ours, labels, items)
        print("\ndecisions:", Counter(p["decision"] for p in ours))
    return 0


def speed_report(books: list[CatalogBook], data_dir: Path) -> str:
    """10,000 records (development + synthesised) x the 10,000 books, in a child process."""
    import tempfile

    import matching as matching_bench

    dev_raw = json.loads((data_dir / "audible_library.json").read_text(encoding="utf-8"))["items"]
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp:
        engine = matching_bench.run_timing(
            books, dev_raw, Path(tmp), "engine", matching_bench.TIMING_RECORDS
        )
    return (
        f"matching {engine['records']:,} records x {engine['books']:,} books "
        f"(target <= 5 s, <= 300 MB): {engine['total_s']:.2f} s "
        f"(index {engine['index_s']:.2f} s + matching {engine['match_s']:.2f} s; "
        f"CPU {engine['cpu_s']:.2f} s), peak RSS {engine['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
