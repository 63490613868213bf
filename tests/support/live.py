"""Which tests ``make test-fast`` leaves out, found without anyone marking a test by hand.

* ``live``: the test starts processes, drives a browser, or runs the demo or a deployment. Its
  path says so (``tests/e2e``, ``tests/demo``, the deployment tests), or it carries the ``e2e``
  or ``browser`` marker, or its code -- the test function, the fixtures it uses, and the
  project's own functions and classes those call, followed through -- reaches ``subprocess``
  or Playwright.
* ``slow``: the test runs at length by design: the hardening suite (``tests/hardening``:
  fuzzing, volumes, linear-time and secret scans over live stacks), any test whose code
  reaches schemathesis or Hypothesis state machines, and the few marked ``slow`` by hand
  (the migrations run down and up again).

``make test-fast`` is ``-m "not live and not slow" -n 2``; ``make test`` runs everything. A test
the search misses still cannot start a process in the fast lane unnoticed: an autouse fixture
makes any process a test not found live starts fail it, saying why.
"""

from __future__ import annotations

import inspect
import subprocess
import types
from collections.abc import Iterator
from typing import Any

import pytest

LIVE_PATHS = ("tests/e2e/", "tests/demo/", "tests/deploy/", "tests/test_deploy.py")
LIVE_MARKERS = ("e2e", "browser")
# Modules whose use makes a test live: processes, and the browser driver.
LIVE_MODULES = ("subprocess", "playwright")
SLOW_PATHS = ("tests/hardening/",)
# Modules whose use makes a test slow: API fuzzing, and state machines explored step by step.
SLOW_MODULES = ("schemathesis", "hypothesis.stateful")
# Code of these packages is followed when looking for a use; anything else is a leaf.
PROJECT = ("tests", "tracker_api", "audible_gateway", "audible_contract", "bench")


def classify(item: pytest.Item) -> set[str]:
    """The markers of ``live`` and ``slow`` that ``item`` gets (see the module docstring)."""
    path = item.path.relative_to(item.config.rootpath).as_posix()
    code: list[Any] = [getattr(item, "obj", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for definitions in info.name2fixturedefs.values():
            code.extend(definition.func for definition in definitions)
    code = [value for value in code if value is not None]
    found = set()
    if (
        path.startswith(LIVE_PATHS)
        or any(item.get_closest_marker(name) for name in LIVE_MARKERS)
        or any(_reaches(value, LIVE_MODULES, set()) for value in code)
    ):
        found.add("live")
    if path.startswith(SLOW_PATHS) or any(_reaches(value, SLOW_MODULES, set()) for value in code):
        found.add("slow")
    return found


def _module_name(value: Any) -> str:
    if isinstance(value, types.ModuleType):
        return value.__name__
    try:
        name = getattr(value, "__module__", None)
    except Exception:  # a lazy object that cannot be asked
        return ""
    return name if isinstance(name, str) else ""


def _in(value: Any, modules: tuple[str, ...]) -> bool:
    """Whether ``value`` (a module, or anything defined in one) belongs to one of ``modules``
    (a package or module name, with everything below it)."""
    name = _module_name(value)
    return any(name == module or name.startswith(module + ".") for module in modules)


def _code_names(code: types.CodeType) -> Iterator[str]:
    """Every global or attribute name ``code`` and the functions nested in it mention."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_names(constant)


def _reaches(value: Any, modules: tuple[str, ...], seen: set[int]) -> bool:
    """Whether ``value`` belongs to ``modules``, or is project code that reaches them."""
    return _search(value, modules, seen)[0]


# Answers already found, by (id of the value, modules): the value is kept with its answer so
# its id cannot be reused. Many tests call the same project code (``run_sync`` and all it
# reaches); without this, collecting walked that code again for every test.
_FOUND: dict[tuple[int, tuple[str, ...]], tuple[Any, bool]] = {}


def _search(value: Any, modules: tuple[str, ...], seen: set[int]) -> tuple[bool, bool]:
    """``(reaches, settled)``; an answer that leaned on a value still being searched (a cycle
    in the code) is not settled, and so not remembered: another path may yet reach."""
    known = _FOUND.get((id(value), modules))
    if known is not None and known[0] is value:
        return known[1], True
    if id(value) in seen:
        return False, False
    seen.add(id(value))
    found, settled = _search_inside(value, modules, seen)
    if found or settled:
        _FOUND[(id(value), modules)] = (value, found)
    return found, found or settled


def _search_inside(value: Any, modules: tuple[str, ...], seen: set[int]) -> tuple[bool, bool]:
    if _in(value, modules):
        return True, True
    if isinstance(value, (staticmethod, classmethod)):
        return _search_all([value.__func__], modules, seen)
    if isinstance(value, property):
        return _search_all([f for f in (value.fget, value.fset) if f], modules, seen)
    if not _in(value, PROJECT) or getattr(value, "__module__", None) == __name__:
        return False, True  # not project code, or this module's own guard
    if isinstance(value, type):
        return _search_all(list(vars(value).values()), modules, seen)
    function = inspect.unwrap(value) if callable(value) else None
    if not isinstance(function, types.FunctionType):
        return False, True
    names = sorted(set(_code_names(function.__code__)))  # one order whatever the hash seed
    # Names are looked up in the function's module and in project modules it refers to
    # (``processes.start_gunicorn(...)``).
    scopes = [function.__globals__]
    scopes += [
        vars(target)
        for name in names
        if isinstance(target := function.__globals__.get(name), types.ModuleType)
        and _in(target, PROJECT)
    ]
    return _search_all(
        [scope[name] for scope in scopes for name in names if name in scope], modules, seen
    )


def _search_all(values: list[Any], modules: tuple[str, ...], seen: set[int]) -> tuple[bool, bool]:
    settled = True
    for value in values:
        found, done = _search(value, modules, seen)
        if found:
            return True, True
        settled = settled and done
    return False, settled


# --------------------------------------------------------------------------- the hooks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test :func:`classify` finds ``live`` or ``slow``."""
    for item in items:
        for name in classify(item):
            item.add_marker(getattr(pytest.mark, name))


@pytest.fixture(autouse=True)
def _no_processes_unless_live(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test not found live must not start a process: it fails, saying so, instead of
    slowing the fast lane down or running there half-configured."""
    if request.node.get_closest_marker("live"):
        yield
        return
    original = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    nodeid = request.node.nodeid

    def refused(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            f"{nodeid} starts a process ({args!r}) but was not found live, and the fast lane "
            "runs no processes: start it with subprocess from the test's own code or a fixture "
            "(tests/support/live.py follows those), or put the test under a live path."
        )

    subprocess.Popen._execute_child = refused  # type: ignore[attr-defined]
    try:
        yield
    finally:
        subprocess.Popen._execute_child = original  # type: ignore[attr-defined]
