"""Small typed readers for 12-factor settings.

Each reader fails loudly (ImproperlyConfigured) on a malformed value instead of guessing, and
every secret may also come from a file named by ``NAME_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """The value of ``name`` (or the contents of the file named by ``name_FILE``)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file.") from exc
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean; anything but a clear yes/no word is an error, never a silent False."""
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off.")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    """An integer, optionally with a floor that the value may not go below."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        value = default
    else:
        try:
            value = int(raw.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be a whole number.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}.")
    return value


def env_float(name: str, default: float) -> float:
    """A number (seconds, usually); a value that is not one is an error, never the default."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list with blanks dropped."""
    raw = env_str(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


RATE_PERIODS = ("second", "minute", "hour", "day")


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as ``10/hour`` (a whole number, ``/``, second/minute/hour/day)."""
    raw = (env_str(name) or "").strip() or default
    count, _, period = raw.partition("/")
    if not count.strip().isdigit() or int(count) < 1 or period.strip() not in RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name} must look like 10/hour (a number, then one of {', '.join(RATE_PERIODS)})."
        )
    return f"{int(count)}/{period.strip()}"


_URL_START = re.compile(r"[\s,]+(?=[A-Za-z][A-Za-z0-9+.-]*://)")


def env_apprise_urls(name: str) -> list[str]:
    """Apprise URLs separated by spaces or commas; a comma inside a URL's query is kept
    (only a comma before the next ``scheme://`` separates)."""
    raw = (env_str(name) or "").strip().strip(",")
    if not raw:
        return []
    urls = [part.strip().strip(",") for part in _URL_START.split(raw) if part.strip(" ,")]
    bad = [n for n, url in enumerate(urls, 1) if "://" not in url]
    if bad:
        raise ImproperlyConfigured(f"{name}: entry {bad[0]} is not a URL (scheme://...).")
    return urls
