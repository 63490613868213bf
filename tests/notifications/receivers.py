"""Real receivers on loopback: an HTTP server for Apprise's json:// and ntfy:// URLs, and an
SMTP server (aiosmtpd) for e-mail, each recording what it received.

The HTTP receiver can go down and come back on the same port (``stop()`` / ``start()``), so a
test sees real connection errors, then a real delivery. The SMTP server requires a login
(AUTH PLAIN/LOGIN over plain text, loopback only), so the mail password really is used.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword

from tracker_api.demo.processes import free_port

# Everything the receivers of this test run took in (the figures in conftest print it).
RECEIVED = {"http": 0, "smtp": 0}


class HttpReceiver:
    """POSTs received, as ``{"path", "headers", "body", "json"}``; answers ``status``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", errors="replace")
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                with receiver.lock:
                    RECEIVED["http"] += 1
                    receiver.received.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": raw,
                            "json": parsed,
                        }
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        for _ in range(50):  # the port of a receiver that was just stopped may linger
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                time.sleep(0.1)
        else:  # pragma: no cover
            raise RuntimeError(f"port {self.port} stays busy")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received)


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        RECEIVED["smtp"] += 1
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", errors="replace"),
                "login": getattr(session, "login_data", None),
            }
        )
        return "250 OK"


class SmtpReceiver:
    """aiosmtpd on loopback that accepts only ``user``/``password``."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.logins: list[str] = []
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.user
            and data.password.decode() == self.password
        )
        self.logins.append(f"{mechanism}:{'ok' if ok else 'refused'}")
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.mailbox.messages)


def decoded_subject(data: str) -> str:
    """The Subject header of a raw message, with RFC 2047 words decoded."""
    from email import message_from_string
    from email.header import decode_header
    from email.header import make_header

    return str(make_header(decode_header(message_from_string(data)["Subject"] or "")))


def basic_auth(headers: dict[str, str]) -> str:
    value = headers.get("Authorization", "")
    return base64.b64decode(value.split(" ", 1)[1]).decode() if " " in value else ""
