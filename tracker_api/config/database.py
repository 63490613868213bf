"""The tracker's ``DATABASES`` entry, from ``DATABASE_URL`` or the embedded SQLite default.

SQLite is the embedded default (``make run``, small installations), and it sees concurrent
writers there: several gunicorn workers and threads, and a sync running beside them. Out of
the box SQLite answers such a moment with "database is locked": a deferred transaction that
first reads and then writes cannot wait for the lock (waiting could deadlock), so it fails at
once. Three settings make concurrent writers wait their turn instead:

* ``transaction_mode: IMMEDIATE`` (Django 5.1+): every ``atomic()`` block starts with
  ``BEGIN IMMEDIATE``, taking the write lock up front, where the busy timeout applies;
* ``timeout``: how long a connection waits for that lock (the busy timeout) before giving up;
* ``PRAGMA journal_mode=WAL``: readers never block the writer nor the writer readers, so the
  lock is only ever held for the short time of a write. ``synchronous=NORMAL`` is the safe
  pairing with WAL (a power cut may lose the last commit, never corrupt the file).

PostgreSQL needs none of this; its URL is used as given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

# Seconds a SQLite connection waits for another writer (below gunicorn's 120 s timeout, well
# above the longest write a sync makes).
SQLITE_BUSY_TIMEOUT_S = 30
SQLITE_INIT_COMMAND = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"


def embedded_sqlite_url(var_dir: Path) -> str:
    """The URL of the embedded SQLite file under ``var_dir`` (created on first use)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / 'tracker.sqlite3'}"


def sqlite_options() -> dict[str, Any]:
    """Django ``OPTIONS`` that make concurrent SQLite writers wait instead of failing."""
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_S,
        "init_command": SQLITE_INIT_COMMAND,
    }


def database_config(url: str | None, var_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """The ``default`` database: ``url`` when given, else the embedded SQLite file."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(url or embedded_sqlite_url(var_dir), conn_max_age=conn_max_age)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**sqlite_options(), **config.get("OPTIONS", {})}
    return config
