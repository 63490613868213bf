"""The gateway client's own HTTP transport (``http.client``) against real local servers:
what it sends, and how answers it cannot use become the stable error codes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.gateway import GatewayCallError

SECRET = "a-transport-test-secret-0123456789"
seen: list[dict] = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/api/refresh-token"):
            self._send(200, json.dumps({"auth": "blob-2"}).encode())
        elif self.path.startswith("/api/progress/busy"):
            self.send_response(503)
            self.send_header("retry-after", "7")  # lower case: headers are case-insensitive
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"busy")
        elif self.path.startswith("/api/progress/garbled"):
            self._send(200, b"<html>not json</html>")
        else:
            self.connection.shutdown(socket.SHUT_RDWR)  # no answer at all

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(settings) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    settings.AUDIBLE_SERVICE_URL = url
    settings.AUDIBLE_API_SECRET = SECRET
    settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = 2
    settings.AUDIBLE_GATEWAY_RETRY_BASE_S = 0
    seen.clear()
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_it_posts_json_with_the_secret_and_reads_the_answer(server):
    assert gateway.refresh("blob-1") == "blob-2"
    (request,) = seen
    assert request["path"] == "/api/refresh-token"
    assert request["headers"]["X-API-Secret"] == SECRET
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"auth": "blob-1"}


def test_a_503_is_retried_and_its_retry_after_header_is_kept(server, settings):
    settings.AUDIBLE_GATEWAY_RETRY_BUDGET_S = 1  # the 7 s wait overruns it: give up at once
    with pytest.raises(GatewayCallError) as caught:
        gateway.progress("blob", "busy")
    assert (caught.value.code, caught.value.status, caught.value.retry_after) == (
        "gateway_http_503",
        503,
        7.0,
    )
    assert not caught.value.permanent


def test_an_answer_that_is_not_json_is_a_bad_answer(server):
    with pytest.raises(GatewayCallError) as caught:
        gateway.progress("blob", "garbled")
    assert caught.value.code == "gateway_bad_answer"
    assert len(seen) == 2  # retried: a garbled answer may be a passing fault


def test_a_connection_closed_without_an_answer_is_unreachable(server):
    with pytest.raises(GatewayCallError) as caught:
        gateway.deregister("blob")
    assert caught.value.code == "gateway_unreachable"
    assert SECRET not in caught.value.message


def test_a_url_it_cannot_use_and_a_body_json_cannot_carry_are_refused_without_a_crash(
    server, settings
):
    with pytest.raises(GatewayCallError) as caught:
        gateway.listening_stats("blob", days=float("nan"))
    assert caught.value.code == "gateway_unreachable"
    assert not seen  # nothing was sent
    settings.AUDIBLE_SERVICE_URL = "ftp://127.0.0.1:21"
    with pytest.raises(GatewayCallError) as caught:
        gateway.refresh("blob")
    assert caught.value.code == "gateway_unreachable"
