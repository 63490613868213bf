"""Which tests are ``live``: they start processes, drive a browser, or run the demo or a
deployment. ``make test-fast`` leaves them out (``-m "not live"``); ``make test`` runs them.

Nobody marks a test by hand. A test is live when its path says so (``tests/e2e``, ``tests/demo``,
the deployment tests), when it carries the ``e2e`` or ``browser`` marker, or when its code —
the test function, the fixtures it uses, and the project's own functions and classes those
call, followed through — names ``subprocess`` or Playwright. A test the search misses still
cannot slip into the fast lane unnoticed: an autouse fixture makes any process it starts fail it,
saying why.
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
# Code of these packages is followed when looking for a use; anything else is a leaf.
PROJECT = ("tests", "tracker_api", "audible_gateway", "audible_contract", "bench")


def is_live(item: pytest.Item) -> bool:
    """Whether ``item`` is a live test (see the module docstring)."""
    path = item.path.as_posix()
    if any(f"/{prefix}" in path or path.endswith(f"/{prefix}") for prefix in LIVE_PATHS):
        return True
    if any(item.get_closest_marker(name) for name in LIVE_MARKERS):
        return True
    functions: list[Any] = [getattr(item, "obj", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for definitions in info.name2fixturedefs.values():
            functions.extend(definition.func for definition in definitions)
    return any(_uses_live_module(function, set()) for function in functions if function)


def _in(value: Any, packages: tuple[str, ...]) -> bool:
    """Whether ``value`` (a module, or anything defined in one) belongs to ``packages``."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
    else:
        try:
            name = getattr(value, "__module__", None)
        except Exception:  # a lazy object that cannot be asked
            return False
    return isinstance(name, str) and name.split(".")[0] in packages


def _code_names(code: types.CodeType) -> Iterator[str]:
    """Every global or attribute name ``code`` and the functions nested in it mention."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_names(constant)


def _uses_live_module(value: Any, seen: set[int]) -> bool:
    """Whether ``value`` is, or is project code that reaches, a process or browser module."""
    if id(value) in seen:
        return False
    seen.add(id(value))
    if _in(value, LIVE_MODULES):
        return True
    if isinstance(value, (staticmethod, classmethod)):
        return _uses_live_module(value.__func__, seen)
    if isinstance(value, property):
        return any(_uses_live_module(f, seen) for f in (value.fget, value.fset) if f)
    if not _in(value, PROJECT) or getattr(value, "__module__", None) == __name__:
        return False  # not project code, or this module's own guard
    if isinstance(value, type):
        return any(_uses_live_module(member, seen) for member in vars(value).values())
    function = inspect.unwrap(value) if callable(value) else None
    if not isinstance(function, types.FunctionType):
        return False
    names = set(_code_names(function.__code__))
    # Names are looked up in the function's module and in project modules it refers to
    # (``processes.start_gunicorn(...)``).
    scopes = [function.__globals__]
    scopes += [
        vars(target)
        for name in names
        if isinstance(target := function.__globals__.get(name), types.ModuleType)
        and _in(target, PROJECT)
    ]
    return any(
        _uses_live_module(scope[name], seen) for scope in scopes for name in names if name in scope
    )


# --------------------------------------------------------------------------- the hooks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``live`` every test :func:`is_live` finds."""
    for item in items:
        if is_live(item):
            item.add_marker(pytest.mark.live)


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
