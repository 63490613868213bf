"""gunicorn's own error answers in the tracker's one JSON error shape.

gunicorn answers a request it cannot parse itself, before Django sees it: a request line over
``limit_request_line`` (4094 bytes: a long query string), too many or too large headers, a
malformed request line or header. Its answer is a small HTML page that echoes what it could
not parse (a header's value included). Clients of the API expect
``{"error": {"code", "message"}}`` for every failure, and an echoed header may carry a
credential, so this worker sends that shape instead, with a fixed message per case and
nothing of the request in it. Status codes stay gunicorn's (400, 431, 403, 501, 500).

Used by ``deploy/gunicorn/tracker.py`` (``worker_class``). No Django here: gunicorn loads
this before the application.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

# (code, message) by gunicorn's exception; the first matching class wins.
_ERRORS: tuple[tuple[type[BaseException], str, str], ...] = (
    (errors.LimitRequestLine, "request_line_too_large",
     "The request line (method, path and query string) is too long."),
    (errors.LimitRequestHeaders, "request_headers_too_large",
     "The request's headers are too many or too large."),
    (errors.ForbiddenProxyRequest, "permission_denied", "You are not allowed to do this."),
    (errors.UnsupportedTransferCoding, "unsupported_transfer_coding",
     "The request's transfer coding is not supported."),
    (errors.ParseException, "malformed_request", "The request could not be parsed as HTTP."),
)  # fmt: skip
_SERVER_ERROR = ("server_error", "Something went wrong on our side; it has been logged.")


def error_code(exc: BaseException) -> tuple[str, str]:
    """The stable code and message for what gunicorn refused (a server error otherwise)."""
    for kind, code, message in _ERRORS:
        if isinstance(exc, kind):
            return code, message
    if isinstance(exc, OSError) and exc.__class__.__name__ == "SSLError":
        return "malformed_request", "The request could not be parsed as HTTP."
    return _SERVER_ERROR


class _Captured:
    """Stands in for the client socket while gunicorn writes its HTML error, keeping it."""

    def __init__(self) -> None:
        self.sent = b""

    def gettimeout(self) -> float:
        return 0.0  # gunicorn's write_nonblock then calls sendall directly

    def sendall(self, data: bytes) -> None:
        self.sent += data


def json_error_response(status_line: str, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 answer carrying the error envelope; the connection closes."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = (
        f"HTTP/1.1 {status_line}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorThreadWorker(ThreadWorker):
    """gunicorn's threaded worker whose own error answers are JSON (see the module)."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        captured = _Captured()
        # gunicorn decides the status, logs and writes the access line as always; only the
        # bytes it would send are replaced.
        super().handle_error(req, captured, addr, exc)
        first_line = captured.sent.split(b"\r\n", 1)[0].decode("latin-1")
        status_line = first_line.partition(" ")[2] or "500 Internal Server Error"
        code, message = error_code(exc)
        try:
            util.write_nonblock(client, json_error_response(status_line, code, message))
        except Exception:  # the client is gone; gunicorn does the same
            self.log.debug("Failed to send error message.")
