"""Ctrl-C (SIGINT) and SIGTERM for the demo: one clean stop, whatever the demo was doing.

Python's default turns SIGINT into a ``KeyboardInterrupt`` wherever the main thread happens to
be, including between starting a child process and remembering it (the child would then be
left running) and in the middle of stopping the children. This handler raises that
interrupt once, outside the short sections that must not be cut (:meth:`Interrupts.held`), and
ignores every later signal so that the stop itself cannot be interrupted.

It has to be installed before anything is printed or started, which is why this module
imports nothing but the standard library.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupts:
    """At most one ``KeyboardInterrupt`` per run, and never inside a held section."""

    def __init__(self) -> None:
        self._held = 0
        self._pending = False
        self._stopping = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop_listening(self) -> None:
        """From now on signals are ignored: the demo is stopping its processes."""
        self._stopping = True

    @contextmanager
    def held(self) -> Iterator[None]:
        """A section a signal must not cut (start a process and record it); raise after it."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending and not self._stopping:
                self._pending = False
                self._stopping = True
                raise KeyboardInterrupt  # the Ctrl-C that came during the section

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping:
            return
        if self._held:
            self._pending = True
            return
        self._stopping = True
        raise KeyboardInterrupt


INTERRUPTS = Interrupts()
