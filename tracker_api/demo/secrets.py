"""Throwaway secrets for the loopback demo, made once and kept under ``var/`` (mode 0600).

Keeping them lets a second ``make run`` reuse the database it filled the first time; they are
never used outside the demo, and the demo says so.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

NAMES = ("SECRET_KEY", "API_SECRET", "ENCRYPTION_KEY", "CRON_SECRET", "DEMO_PASSWORD")


def _fresh() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "API_SECRET": secrets.token_urlsafe(48),
        "ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        "CRON_SECRET": secrets.token_urlsafe(48),
        "DEMO_PASSWORD": secrets.token_urlsafe(9),
    }


def load_or_create(path: Path) -> dict[str, str]:
    """The secrets stored at ``path``, creating the file with fresh ones when it is missing."""
    if path.exists():
        stored = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        if all(stored.get(name) for name in NAMES):
            return stored
    values = _fresh()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed into place: a Ctrl-C mid-write never leaves half a file.
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# Throwaway secrets of the loopback demo (make run). Not for production.\n")
        handle.writelines(f"{name}={value}\n" for name, value in values.items())
    os.replace(partial, path)
    return values
