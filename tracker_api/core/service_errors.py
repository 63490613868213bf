"""The one base of the tracker's own refusals and failures.

A service (linking, sync, undo) raises a :class:`ServiceError` subclass carrying a stable
``code``, the HTTP ``status`` it means and a ``message`` for people, without knowing about
HTTP: ``core.errors.api_exception_handler`` renders any of them as the one JSON error shape,
and the admin, the pages and the commands show ``message``. Kept free of DRF so services and
commands import it cheaply.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal or failure with a stable ``code``, an HTTP ``status`` and a ``message``.

    Subclasses set ``code`` and ``status`` as class attributes (or pass them when they vary
    per instance) and add keys to the JSON error through :meth:`extra`. The base has no code
    of its own: every answer names a documented one (docs/troubleshooting.md).
    """

    code: str
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def extra(self) -> dict[str, Any]:
        """Keys the JSON error carries beside ``code`` and ``message`` (none by default)."""
        return {}
