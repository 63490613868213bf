"""Wait until PostgreSQL accepts the tracker, or say at once why it never will.

Run by ``deploy/entrypoint.sh`` before the tracker's command when ``DATABASE_URL`` names a
PostgreSQL server. Only "not up yet" is worth waiting for (connection refused, no route yet,
the server starting or shutting down, a timeout); a wrong password, an unknown database or user,
or a refused SSL setting will not heal by waiting, so the driver's own message is printed at
once and the container exits 1 instead of looping for DB_WAIT_SECONDS. The password is never
printed (psycopg's messages do not carry it).
"""

from __future__ import annotations

import os
import sys
import time

# Fragments of psycopg/libpq messages that mean "try again in a moment".
TRANSIENT = (
    "connection refused",
    "could not connect",
    "could not translate host name",
    "temporary failure in name resolution",
    "name or service not known",
    "no route to host",
    "timeout expired",
    "timed out",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "server closed the connection unexpectedly",
    "no such file or directory",
)


def is_transient(message: str) -> bool:
    """True when waiting could help (the server is not up yet)."""
    text = message.lower()
    if "password authentication failed" in text or "does not exist" in text:
        return False
    return any(fragment in text for fragment in TRANSIENT)


def wait_for_database(url: str, wait_s: float) -> int:
    """0 once a connection succeeded; 1 (after printing the driver's error) otherwise."""
    import psycopg

    deadline = time.monotonic() + wait_s
    url = url.replace("postgis://", "postgres://", 1)
    announced = False
    while True:
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.Error as exc:
            message = str(exc).strip() or exc.__class__.__name__
            if not is_transient(message):
                sys.stderr.write(f"The database refused the connection: {message}\n")
                return 1
            if time.monotonic() > deadline:
                sys.stderr.write(f"The database did not answer within {wait_s:g} s: {message}\n")
                return 1
            if not announced:
                sys.stderr.write(f"Waiting for the database ({message})...\n")
                announced = True
            time.sleep(1)
        else:
            return 0


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "postgis")):
        return 0
    return wait_for_database(url, float(os.environ.get("DB_WAIT_SECONDS", "60")))


if __name__ == "__main__":
    sys.exit(main())
