"""Pathological text for the linear-time checks: the shapes that make regexes backtrack.

Shared by the hypothesis tests (``tests/hardening/test_linear_time.py``) and the benchmark
(``bench/hostile_input.py``). Each shape builds a string of about ``n`` characters from a
short unit: long runs of one character, nested or unbalanced brackets, alternations of
``#``/``(``/``)``, separators the title parsers split on, and every Unicode category.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Callable
from functools import cache


@cache
def unicode_sample() -> str:
    """One character of every Unicode general category (Cs as a lone surrogate)."""
    seen: dict[str, str] = {}
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category not in seen:
            seen[category] = chr(code)
    return "".join(seen[c] for c in sorted(seen))


def _repeat(unit: str, n: int, head: str = "", tail: str = "") -> str:
    body = n - len(head) - len(tail)
    return head + (unit * (body // len(unit) + 1))[: max(body, 0)] + tail


# name -> unit builder; every one is a known trigger for at least one pattern we had.
SHAPES: dict[str, Callable[[int], str]] = {
    # The reported attack: "x(" and tens of thousands of "#" (split_series was quadratic).
    "x( + #...": lambda n: _repeat("#", n, head="x("),
    "spaces": lambda n: _repeat(" ", n, head="a", tail="b"),
    "one letter": lambda n: _repeat("a", n),
    "nested (": lambda n: "(" * (n // 2) + ")" * (n - n // 2),
    "open ( [": lambda n: _repeat("([", n),
    "#()": lambda n: _repeat("#()", n),
    "(#": lambda n: _repeat("(#", n, tail=")"),
    "( # )": lambda n: _repeat("( # ", n, head="x "),
    "commas": lambda n: _repeat(", ", n, head="a"),
    "colons dashes": lambda n: _repeat(" : - ", n, head="a"),
    "slashes": lambda n: _repeat(" / ", n, head="a"),
    "book numbers": lambda n: _repeat("book 1 ", n, head="x, "),
    "ranges": lambda n: _repeat("1-", n),
    "and": lambda n: _repeat(" and ", n, head="a"),
    "dots": lambda n: _repeat(".", n, tail="Ab"),
    "camel": lambda n: _repeat("aB", n),
    "digits": lambda n: _repeat("9", n),
    "unicode categories": lambda n: _repeat(unicode_sample(), n),
    "combining": lambda n: _repeat("e\u0301", n),
}

KB = 1000
MiB = 1024 * 1024


def seconds(work: Callable[[], object], *, repeat: int = 1) -> float:
    """The best of ``repeat`` timings of ``work()`` (best-of cuts noise from a busy machine)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def growth(work: Callable[[str], object], shape: str, small: int, large: int) -> float:
    """How many times longer ``work`` takes on the ``large`` input than on the ``small`` one.

    Linear work gives about ``large / small``; quadratic about its square. The small input
    is timed best-of-3 and at least 5 ms of work (repeated) so the ratio is not noise.
    """
    build = SHAPES[shape]
    small_text, large_text = build(small), build(large)
    small_s = max(seconds(lambda: work(small_text), repeat=3), 0.005 * small / large)
    large_s = seconds(lambda: work(large_text), repeat=2)
    return large_s / small_s
