"""Pointing the unmodified ``audible`` package at a sandbox (tests, benchmarks, demos).

* ``RedirectTransport`` / ``AsyncRedirectTransport``: give one to ``audible.Client(auth,
  transport=...)``. Only scheme, host and port are rewritten, so the raw path and query (what
  the package signed) and the ``Host`` header (``api.audible.<tld>``) reach the sandbox intact.
* ``audible_identity_via(url)``: the package's register, refresh, deregister and profile calls
  use module-level ``httpx.post/get`` with fixed ``https://api.amazon.<tld>`` URLs, which no
  transport reaches (AUDIBLE_API.md §1b). Inside this context manager those two modules see an
  ``httpx`` whose ``post``/``get`` send the same request to the sandbox instead. The package's
  own code runs unchanged; only the network destination differs. Not for production code.
* ``sandbox_login_callback(url)``: a ``login_url_callback`` for
  ``Authenticator.from_login_external`` that "logs in" by fetching the login URL from the
  sandbox and returning where it redirects (the maplanding URL with an authorization code).
"""

from __future__ import annotations

import contextlib
import threading
import types
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import httpx


def _target(sandbox_url: str) -> httpx.URL:
    url = httpx.URL(sandbox_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"not a sandbox URL: {sandbox_url!r}")
    return url


def _rewrite(url: httpx.URL, target: httpx.URL) -> httpx.URL:
    return url.copy_with(scheme=target.scheme, host=target.host, port=target.port)


class RedirectTransport(httpx.HTTPTransport):
    """Sends every request to the sandbox, keeping path, query and Host header as signed."""

    def __init__(self, sandbox_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = _target(sandbox_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _rewrite(request.url, self.target)
        return super().handle_request(request)


class AsyncRedirectTransport(httpx.AsyncHTTPTransport):
    """The ``audible.AsyncClient`` counterpart of ``RedirectTransport``."""

    def __init__(self, sandbox_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = _target(sandbox_url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _rewrite(request.url, self.target)
        return await super().handle_async_request(request)


def _redirecting_httpx(sandbox_url: str) -> types.SimpleNamespace:
    """An ``httpx`` look-alike whose module-level calls go to the sandbox.

    The request is built for the original URL (so its ``Host`` header names Amazon's host);
    the transport then changes only where it is sent.
    """
    _target(sandbox_url)

    def send(method: str, url: Any, **kwargs: Any) -> httpx.Response:
        with httpx.Client(transport=RedirectTransport(sandbox_url)) as client:
            return client.request(method, url, **kwargs)

    def async_client(**kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=AsyncRedirectTransport(sandbox_url), **kwargs)

    namespace = types.SimpleNamespace(
        **{name: getattr(httpx, name) for name in dir(httpx) if not name.startswith("__")}
    )
    namespace.post = lambda url, **kw: send("POST", url, **kw)
    namespace.get = lambda url, **kw: send("GET", url, **kw)
    namespace.AsyncClient = async_client
    return namespace


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def audible_identity_via(sandbox_url: str) -> Iterator[None]:
    """Within the block, the package's register/refresh/deregister/profile calls hit the sandbox."""
    import audible.auth
    import audible.register

    modules = (audible.register, audible.auth)
    with _PATCH_LOCK:
        saved = [module.httpx for module in modules]
        shim = _redirecting_httpx(sandbox_url)
        for module in modules:
            module.httpx = shim  # type: ignore[attr-defined]
        try:
            yield
        finally:
            for module, original in zip(modules, saved, strict=True):
                module.httpx = original  # type: ignore[attr-defined]


def sandbox_login_callback(sandbox_url: str) -> Callable[[str], str]:
    """A ``login_url_callback``: open the login URL on the sandbox, return the maplanding URL."""

    def login(oauth_url: str) -> str:
        with httpx.Client(transport=RedirectTransport(sandbox_url)) as client:
            response = client.get(oauth_url, follow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"sandbox login answered {response.status_code}, not a redirect")
        return response.headers["location"]

    return login


def register_authenticator(sandbox_url: str, locale: str = "us") -> Any:
    """A fresh device registered on the sandbox through the package's own external login."""
    import audible

    with audible_identity_via(sandbox_url):
        return audible.Authenticator.from_login_external(
            locale=locale, login_url_callback=sandbox_login_callback(sandbox_url)
        )


def connect_through_gateway(
    gateway_url: str, secret: str, *, locale: str = "us", timeout: float = 60.0
) -> str:
    """The external login through a running gateway whose upstream is a sandbox, as a person
    does it: ask for the login URL, open it (the sandbox "logs in" at once), paste the page it
    lands on back. Returns the sealed blob. For tests, benchmarks and demos."""
    headers = {"X-API-Secret": secret}
    start = httpx.post(
        f"{gateway_url}/api/auth",
        json={"method": "external", "locale": locale},
        headers=headers,
        timeout=timeout,
    )
    start.raise_for_status()
    login = start.json()
    landing = httpx.get(login["login_url"], follow_redirects=False, timeout=timeout)
    done = httpx.post(
        f"{gateway_url}/api/auth",
        json={
            "method": "external",
            "state": login["state"],
            "redirect_url": landing.headers["location"],
        },
        headers=headers,
        timeout=timeout,
    )
    if done.status_code != 200:
        raise AssertionError(f"the gateway refused the login: {done.status_code} {done.text}")
    return str(done.json()["auth"])
