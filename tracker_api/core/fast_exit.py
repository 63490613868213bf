"""End a one-shot command's process without the interpreter's slow teardown.

``manage.py audible_sync`` runs every 15 minutes (cron) and loads ~900 modules. When it is
done, a normal interpreter exit frees every object and module one by one and runs their
finalisers: about 0.3-0.4 s of CPU on the development machine, more than the sync of an
unchanged 1,000-title library itself. Nothing in that teardown matters to a process that is
about to disappear: the operating system takes the memory back at once.

So, after the command has returned (or raised ``SystemExit``, which is how Django reports a
``CommandError``), this closes what must be closed properly and calls ``os._exit``:

* the database connections (so PostgreSQL sees a clean goodbye, not a dropped socket);
* logging (``logging.shutdown`` flushes and closes every handler, e.g. a log file);
* stdout and stderr (buffered output is written).

Anything else left running is a reason to exit normally instead: a live non-daemon thread
(which the normal exit would wait for) or an exception other than ``SystemExit`` (printed by
the usual machinery, with its traceback and exit status).

Start-up is the other end of the same process. Importing those ~900 modules makes a few
hundred thousand objects and none of them garbage, yet the cyclic collector walks them over
and over as they are made: about a tenth of the start-up's CPU. So the collector is paused from
the first line (:func:`pause_collector`) until the command is loaded and about to work
(:func:`start_up_done`, called by the command), which then freezes what start-up made (moved to
the permanent generation: never walked again, so every collection during the sync is cheaper
too) and resumes collecting. The sync itself runs with the collector on, as ever.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading
from collections.abc import Callable


def _status(code: object) -> int:
    """``SystemExit.code`` -> a process status, as the interpreter maps it."""
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


_paused = False


def pause_collector() -> None:
    """Stop the cyclic collector for the start-up (see the module docstring); idempotent."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def start_up_done() -> None:
    """The command is loaded: freeze what start-up made and collect again. A no-op unless
    :func:`pause_collector` paused it (``call_command`` in tests, a long-lived process)."""
    global _paused
    if _paused:
        gc.freeze()
        gc.enable()
        _paused = False


def run_then_exit(main: Callable[[list[str]], object], argv: list[str]) -> None:
    """Run ``main(argv)``, then end the process at once with its status (see module doc)."""
    pause_collector()
    try:
        main(argv)
        status = 0
    except SystemExit as exc:
        status = _status(exc.code)
    finally:
        start_up_done()  # a command that never got to work (--help, a bad argument)
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(not t.daemon for t in others):
        sys.exit(status)  # someone still works: let the normal exit wait for them
    close_and_exit(status)


def close_and_exit(status: int) -> None:
    # A failed goodbye (the database already gone) must not change the exit status.
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
