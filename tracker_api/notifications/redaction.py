"""Keeping notification secrets out of logs and stored errors.

Apprise and urllib3 log whole URLs at DEBUG/INFO (a Telegram bot token is a path segment, a
ntfy topic is the access secret, a webhook's path is its password). Three layers:

* :func:`secret_parts` cuts a URL into the pieces that may be secret (user, password, host
  that is not a host name, path segments, query values) and :func:`scrub` replaces each piece,
  plain or URL-encoded, with ``****``;
* while a delivery runs, :func:`hiding` registers that URL's pieces (and the mail password)
  process-wide; :func:`install` puts a log-record factory in place that scrubs every record
  created meanwhile, whatever library logs it and whatever level is configured;
* Apprise's own logger does not propagate: its lines reach the delivery that caused them
  through Apprise's result, and are stored scrubbed as the delivery's error.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote

MASK = "****"
MIN_PART = 4  # shorter pieces ("ok", "443") would mask unrelated text and hide nothing
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z0-9-]+$|^\[?[0-9a-f:.]+\]?$", re.I)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<info>[^/@\s]+)@", re.I)

_lock = threading.Lock()
_active: dict[str, int] = {}
_installed = False


def secret_parts(url: str) -> list[str]:
    """Every piece of ``url`` that may be a secret, longest first (plain and URL-encoded)."""
    _, _, rest = url.partition("://")
    cut = re.search(r"[/?#]", rest)
    authority = rest[: cut.start()] if cut else rest
    tail = rest[len(authority) :]
    parts: list[str] = []
    info, at, hostport = authority.rpartition("@")
    if at:
        parts += re.split(r"[:]", info, maxsplit=1)
    host = hostport.rsplit(":", 1)[0] if ":" in hostport and "]" not in hostport else hostport
    if not _HOSTNAME.match(host):
        parts += re.split(r"[:]", hostport)
    path, _, query = tail.partition("?")
    query = query.partition("#")[0]
    parts += [segment for segment in path.split("/") if segment]
    for pair in query.split("&"):
        _, _, value = pair.partition("=")
        parts += [v for v in value.split(",") if v]
    found: set[str] = set()
    for part in parts:
        for form in (part, unquote(part), quote(unquote(part), safe="")):
            if len(form) >= MIN_PART:
                found.add(form)
    return sorted(found, key=len, reverse=True)


def scrub(text: str, secrets: list[str] | tuple[str, ...] | None = None) -> str:
    """``text`` with every given secret (and every registered one) masked, and every
    ``user:password@`` of a URL in it masked too."""
    if not text:
        return text
    for secret in [*(secrets or ()), *_registered()]:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)


def _registered() -> list[str]:
    with _lock:
        return sorted(_active, key=len, reverse=True)


@contextmanager
def hiding(secrets: list[str]) -> Iterator[None]:
    """While the block runs, every log record anywhere in the process is scrubbed of these."""
    wanted = [s for s in secrets if s and len(s) >= MIN_PART]
    with _lock:
        for secret in wanted:
            _active[secret] = _active.get(secret, 0) + 1
    try:
        yield
    finally:
        with _lock:
            for secret in wanted:
                _active[secret] -= 1
                if not _active[secret]:
                    del _active[secret]


def install() -> None:
    """Put the scrubbing record factory in place and fence off Apprise's logger (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _active:
            _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)
    # Apprise's lines reach the delivery through its result's own log (channels.py), never
    # the process's handlers.
    apprise_log = logging.getLogger("apprise")
    apprise_log.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in apprise_log.handlers):
        apprise_log.addHandler(logging.NullHandler())
    for name in ("urllib3", "requests_oauthlib", "oauthlib"):
        # Their DEBUG lines are request lines with paths and query strings.
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error path
        return
    record.msg = scrub(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
