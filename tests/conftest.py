"""Fixtures shared by every part of the suite."""

from __future__ import annotations

import os

import pytest

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server URL for tests that need one whatever the Django database is."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else DEFAULT_POSTGRES_URL
