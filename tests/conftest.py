"""Fixtures shared by every part of the suite."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from hypothesis import settings

# The ``live`` and ``slow`` markers (what make test-fast leaves out) and the process guard;
# ``closed_port`` (a port where nothing answers, safe under xdist); the people and their API
# clients (``alice``, ``bob``, ``api``, ``bob_api``, ``anon``); the live sandbox and gateway
# of the sync tests (``stack``, ``sealed``, ``gateway_settings``, ``fresh_library``,
# ``listener``).
pytest_plugins = [
    "tests.support.live",
    "tests.support.ports",
    "tests.support.people",
    "tests.support.stack",
]

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Property tests try the same cases on every run, so a red CI always means a change broke
# something; HYPOTHESIS_PROFILE=explore tries new cases (and ``make fuzz`` does at length).
# ``make test-fast`` loads ``fast``: the same fixed cases, fewer (tests/support/examples.py).
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("fast", derandomize=True, database=None, max_examples=20)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a database that exists on the PostgreSQL server (its maintenance database),
    for tests that need a server whatever the Django database is."""
    return os.environ.get("TEST_POSTGRES_SERVER_URL", DEFAULT_POSTGRES_URL)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` skip, saying why, when the suite runs on SQLite."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
