"""Generating large, realistic Audible libraries for tests (2,500 items) and benchmarks (10k+).

Titles and authors come from ``data/goodbooks_titles.csv`` (goodbooks-10k, CC BY-SA 4.0; see
``data/ATTRIBUTION.md``), reshaped into the ways Audible names titles ("The Way of Kings" +
subtitle "The Stormlight Archive, Book 1", or "Harry Potter and the Chamber of Secrets, Book
2"). About a fifth of every library are made-up titles that no catalogue holds, as in real
libraries; a few are podcasts, returned titles, abridged or Plus-catalogue titles. Everything is
drawn from one seeded RNG, so ``generate_library(n, seed)`` is deterministic, and every ASIN is
unique. Building 10,000 items takes well under a second (items are template copies).
"""

from __future__ import annotations

import csv
import gc
import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from typing import Any

from audible_gateway.sandbox.data import DATA_DIR
from audible_gateway.sandbox.item_factory import ItemSpec
from audible_gateway.sandbox.item_factory import Progress
from audible_gateway.sandbox.item_factory import build_item

LANGUAGES = {
    "": "english",
    "eng": "english",
    "en-US": "english",
    "en-GB": "english",
    "en-CA": "english",
    "en": "english",
    "spa": "spanish",
    "fre": "french",
    "ger": "german",
    "ita": "italian",
    "por": "portuguese",
    "jpn": "japanese",
}
NARRATORS = (
    "Michael Kramer",
    "Kate Reading",
    "Jim Dale",
    "Stephen Fry",
    "Ray Porter",
    "Julia Whelan",
    "Scott Brick",
    "January LaVoy",
    "Simon Vance",
    "Davina Porter",
    "Wil Wheaton",
    "R.C. Bray",
    "Luke Daniels",
    "Kate Rudd",
    "Edoardo Ballerini",
    "Cassandra Campbell",
    "Grover Gardner",
    "Frank Muller",
    "George Guidall",
    "Bahni Turpin",
    "Rosamund Pike",
    "Tim Gerard Reynolds",
    "Emily Rankin",
    "Steven Pacey",
    "Jayne Entwistle",
    "Dan Stevens",
    "Juliet Stevenson",
    "Will Patton",
    "Robin Miles",
    "Nick Podehl",
    "Barbara Rosenblat",
    "Kirby Heyborne",
)
PUBLISHERS = (
    "Audible Studios",
    "Random House Audio",
    "Penguin Audio",
    "HarperAudio",
    "Macmillan Audio",
    "Hachette Audio",
    "Simon & Schuster Audio",
    "Brilliance Audio",
    "Recorded Books",
    "Blackstone Publishing",
    "Tantor Audio",
    "Podium Audio",
    "Listening Library",
)
GENRES = (
    "fantasy",
    "scifi",
    "mystery",
    "literary",
    "classics",
    "children",
    "nonfiction",
    "biography",
    "selfhelp",
    "romance",
)
# Made-up titles: pieces that combine into plausible, not-real books.
_ADJ = (
    "Silent",
    "Broken",
    "Hidden",
    "Last",
    "Burning",
    "Northern",
    "Quiet",
    "Crimson",
    "Iron",
    "Lost",
    "Winter",
    "Hollow",
    "Golden",
    "Distant",
    "Restless",
    "Glass",
    "Salt",
    "Midnight",
)
_NOUN = (
    "River",
    "Kingdom",
    "Garden",
    "Orchard",
    "Harbor",
    "Mountain",
    "Archive",
    "Lantern",
    "Crown",
    "Meridian",
    "Covenant",
    "Tide",
    "Cartographer",
    "Orchestra",
    "Signal",
    "Hour",
)
_FIRST = (
    "Amelia",
    "Jonah",
    "Priya",
    "Tomasz",
    "Lena",
    "Marcus",
    "Ines",
    "Darius",
    "Harriet",
    "Kenji",
    "Odile",
    "Rafael",
    "Sunniva",
    "Callum",
    "Noor",
    "Elias",
    "Maren",
    "Theo",
)
_LAST = (
    "Whitlock",
    "Okafor",
    "Lindqvist",
    "Marchetti",
    "Ashdown",
    "Varga",
    "Calloway",
    "Sato",
    "Brennan",
    "Delacroix",
    "Hollis",
    "Nakamura",
    "Pryce",
    "Quintero",
    "Rask",
    "Ellery",
)
_PODCASTS = (
    "The Writer's Room",
    "History Uncovered",
    "Science Vs Everything",
    "Tales After Dark",
    "Mind the Market",
    "The Long Listen",
    "Page Turners Weekly",
    "Sleep Stories",
)
_ORDINALS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")
_EPOCH = datetime(2012, 1, 1, tzinfo=UTC)
_NOW = datetime(2025, 12, 31, tzinfo=UTC)


@lru_cache(maxsize=1)
def catalogue_books() -> tuple[tuple[str, str, str, str, str], ...]:
    """(goodreads id, Goodreads title, authors, year, language) rows of the bundled titles."""
    with open(DATA_DIR / "goodbooks_titles.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return tuple((r[0], r[1], r[2], r[3], r[4]) for r in reader)


def split_goodreads_title(text: str) -> tuple[str, str, str] | None:
    r"""``"Title (Series, #3)"`` -> ``("Title", "Series", "3")`` (untrimmed), None without one.

    Scanned, not matched: the regular expression this replaces
    (``^(.*?)\s*\(([^()]*?),?\s*#([\d.\-]+)\)\s*$``) backtracked quadratically on a long
    run of ``#`` after ``(``. One pass per step (rstrip, rfind, rpartition) is linear.
    """
    stripped = text.rstrip()
    opening = stripped.rfind("(")
    if not stripped.endswith(")") or opening == -1:
        return None
    head, inside = stripped[:opening], stripped[opening + 1 : -1]
    if ")" in inside or "\n" in head.rstrip():  # the old pattern's "." stopped at a line break
        return None
    series, hash_sign, seq = inside.rpartition("#")
    if not hash_sign or not seq or not all(c.isdecimal() or c in ".-" for c in seq):
        return None
    return head, series.rstrip().removesuffix(","), seq


def audible_title(
    goodreads_title: str, style: int
) -> tuple[str, str | None, list[tuple[str, str | None]]]:
    """Goodreads "Title (Series, #n)" -> Audible (title, subtitle, series) in one of its styles."""
    found = split_goodreads_title(goodreads_title)
    if found is None:
        title, _, subtitle = goodreads_title.partition(": ")
        return title.strip(), (subtitle.strip() or None), []
    title, series, seq = found[0].strip(), found[1].strip(), found[2]
    word = _ORDINALS[int(seq) - 1] if seq.isdigit() and 0 < int(seq) <= len(_ORDINALS) else seq
    base, _, own_subtitle = title.partition(": ")
    if style == 0:
        return base, f"{series}, Book {seq}", [(series, seq)]
    if style == 1:
        return f"{base}: {series}, Book {seq}", own_subtitle or None, [(series, seq)]
    if style == 2:
        return base, f"Book {word} of {series}", [(series, seq)]
    return f"{base}, Book {seq}", own_subtitle or None, [(series, seq)]


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _asin(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.getrandbits(42)
        chars = []
        for _ in range(8):
            number, rem = divmod(number, 36)
            chars.append(_ALPHABET[rem])
        asin = "B0" + "".join(chars)
        if asin not in used:
            used.add(asin)
            return asin


def _randint(rng: random.Random, low: int, high: int) -> int:
    """Like ``rng.randint`` but several times faster (10k items need ~100k draws)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, options: tuple[Any, ...] | list[Any]) -> Any:
    return options[int(rng.random() * len(options))]


def _audio_isbn(rng: random.Random) -> str:
    body = "97815" + "".join(rng.choices("0123456789", k=7))
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _progress(rng: random.Random, purchased: datetime) -> Progress:
    roll = rng.random()
    if roll < 0.55:
        return Progress()
    if roll < 0.75:
        return Progress(percent=round(rng.uniform(1, 95), 2), lagging_top_level=rng.random() < 0.2)
    span = max(1.0, (_NOW - purchased).total_seconds())
    finished = purchased + timedelta(seconds=rng.uniform(0.05, 1.0) * span)
    return Progress(percent=100.0, is_finished=True, finished_at=_stamp(finished))


def generate_library(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` realistic library items with unique ASINs, deterministic for a seed."""
    # Tens of thousands of fresh dicts would trigger repeated full GC passes (over half the
    # run time); nothing here makes reference cycles, so collection can wait until the end.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(n, seed)
    finally:
        if was_enabled:
            gc.enable()


def _generate(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    books = catalogue_books()
    order = list(range(len(books)))
    rng.shuffle(order)
    used: set[str] = set()
    titles_used: set[tuple[str, str]] = set()
    items: list[dict[str, Any]] = []
    cursor = 0
    for index in range(n):
        roll = rng.random()
        purchased = _EPOCH + timedelta(seconds=rng.uniform(0, (_NOW - _EPOCH).total_seconds()))
        origin = "Purchase"
        origin_roll = rng.random()
        if origin_roll > 0.97:
            origin = "AudibleComplimentaryOriginal"
        elif origin_roll > 0.87:
            origin = "Subscription"
        if roll < 0.02:
            name = f"{_pick(rng, _PODCASTS)}"
            if (name, "") in titles_used:
                name = f"{name} ({index})"
            titles_used.add((name, ""))
            spec = ItemSpec(
                asin=_asin(rng, used),
                title=name,
                authors=[f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"],
                narrators=[],
                runtime_min=_randint(rng, 20, 90),
                release_date=f"{_randint(rng, 2016, 2025)}-{_randint(rng, 1, 12):02d}-01",
                purchase_date=_stamp(purchased),
                content_type="Podcast",
                content_delivery_type="PodcastParent",
                origin_type="AudibleChannels",
                genre="podcast",
                publisher="Audible Originals",
            )
            items.append(build_item(spec))
            continue
        if roll < 0.22 or cursor >= len(order):
            author = f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"
            title = f"The {_pick(rng, _ADJ)} {_pick(rng, _NOUN)}"
            if (title, author) in titles_used:
                title = f"{title} of {_pick(rng, _NOUN)}s"
            if (title, author) in titles_used:
                title = f"{title}, Volume {index}"
            titles_used.add((title, author))
            series: list[tuple[str, str | None]]
            subtitle, series, authors, year, language = (
                None,
                [],
                [author],
                _randint(rng, 1995, 2025),
                "english",
            )
            if rng.random() < 0.3:
                series = [(f"The {_pick(rng, _NOUN)} Cycle", str(_randint(rng, 1, 6)))]
                subtitle = f"{series[0][0]}, Book {series[0][1]}"
        else:
            _gid, gr_title, gr_authors, gr_year, lang = books[order[cursor]]
            cursor += 1
            title, subtitle, series = audible_title(gr_title, _randint(rng, 0, 3))
            authors = [a.strip() for a in gr_authors.split(",") if a.strip()][
                : _pick(rng, (1, 1, 1, 2))
            ]
            titles_used.add((title, authors[0] if authors else ""))
            year = int(gr_year) if gr_year.lstrip("-").isdigit() else _randint(rng, 1990, 2020)
            language = LANGUAGES.get(lang, "english")
        audio_year = max(year, _randint(rng, 1995, 2024)) if year < 1995 else year
        audio_year = min(audio_year, purchased.year)
        runtime = max(60, int(rng.gauss(660, 300)))
        spec = ItemSpec(
            asin=_asin(rng, used),
            title=title,
            subtitle=subtitle,
            series=series,
            authors=authors or ["Anonymous"],
            narrators=rng.sample(NARRATORS, _pick(rng, (1, 1, 1, 2))),
            runtime_min=runtime,
            release_date=f"{audio_year:04d}-{_randint(rng, 1, 12):02d}-{_randint(rng, 1, 28):02d}",
            purchase_date=_stamp(purchased),
            publisher=_pick(rng, PUBLISHERS),
            language=language,
            format_type="abridged" if rng.random() < 0.04 else "unabridged",
            content_delivery_type="MultiPartBook" if runtime > 1200 else "SinglePartBook",
            origin_type=origin,
            status="Revoked" if rng.random() < 0.01 else "Active",
            isbn=_audio_isbn(rng) if rng.random() < 0.25 else None,
            genre=_pick(rng, GENRES),
            progress=_progress(rng, purchased),
            rating=round(rng.uniform(3.6, 4.9), 2),
            num_ratings=_randint(rng, 20, 90_000),
        )
        items.append(build_item(spec))
    return items
