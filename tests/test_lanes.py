"""The fast lane's markers are found from the code (tests/support/live.py), and a test the
search misses still cannot start a process there."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from hypothesis.stateful import run_state_machine_as_test

from tests.support.live import LIVE_MODULES
from tests.support.live import SLOW_MODULES
from tests.support.live import _reaches


def _starts_a_child() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def _calls_a_helper_that_starts_one() -> None:
    _starts_a_child()


class _Launcher:
    def start(self) -> None:
        _calls_a_helper_that_starts_one()


def _uses_the_launcher() -> None:
    _Launcher().start()


def _explores_a_state_machine() -> None:
    run_state_machine_as_test(object)  # never called: only its code is read


def _plain() -> int:
    return sum(range(3))


def _cycle_first() -> None:
    _cycle_second()
    _starts_a_child()


def _cycle_second() -> None:
    _cycle_first()


@pytest.mark.parametrize(
    "function", [_starts_a_child, _calls_a_helper_that_starts_one, _uses_the_launcher]
)
def test_code_that_reaches_subprocess_is_live(function):
    assert _reaches(function, LIVE_MODULES, set())
    assert not _reaches(function, SLOW_MODULES, set())


def test_code_that_reaches_a_state_machine_is_slow_and_plain_code_is_neither():
    assert _reaches(_explores_a_state_machine, SLOW_MODULES, set())
    assert not _reaches(_explores_a_state_machine, LIVE_MODULES, set())
    assert not _reaches(_plain, LIVE_MODULES, set())
    assert not _reaches(_plain, SLOW_MODULES, set())


def test_the_markers_are_set(request):
    assert request.node.get_closest_marker("live") is None
    assert request.node.get_closest_marker("slow") is None


def test_a_process_the_search_cannot_see_fails_the_test():
    hidden = importlib.import_module("sub" + "process")  # no name the search reads
    with pytest.raises(RuntimeError, match=r"starts a process .* not found live"):
        hidden.run([sys.executable, "-c", "pass"], check=False)


# Passed as parameters, so the search does not find this test itself live.
@pytest.mark.parametrize(("first", "second"), [(_cycle_first, _cycle_second)])
def test_a_cycle_in_the_code_does_not_hide_a_process_from_a_later_search(first, second):
    """Answers are remembered between tests; one found while its cycle was still open (the
    second function, searched first from the first: names are searched in sorted order) is
    not, so asking for it later still finds the process."""
    assert _reaches(first, LIVE_MODULES, set())
    assert _reaches(second, LIVE_MODULES, set())
