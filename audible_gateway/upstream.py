"""The one place that builds HTTP clients for Audible and Amazon.

Every request the gateway sends upstream (API calls through the ``audible`` package, device
registration, token refresh, deregistration, the password login pages) gets its client here.
When ``AUDIBLE_SANDBOX_URL`` is configured, a transport rewrites the scheme, host and port of
every Amazon/Audible URL to the sandbox and keeps the raw path and query untouched, so request
signatures stay valid and the ``Host`` header still names the marketplace. Nothing else in the
gateway knows whether it talks to Audible or to the sandbox.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from typing import Any

import audible
import httpx

if TYPE_CHECKING:
    from audible_gateway.config import GatewayConfig

AUDIBLE_HOST = re.compile(r"(^|\.)(amazon|audible)\.[a-z.]+$", re.IGNORECASE)


class UrlRewriter:
    """Maps Amazon/Audible URLs onto one base URL (scheme, host, port), keeping the raw path."""

    def __init__(self, target: str | None) -> None:
        self.target = httpx.URL(target) if target else None

    def __call__(self, url: httpx.URL) -> httpx.URL:
        if self.target is None or not AUDIBLE_HOST.search(url.host or ""):
            return url
        return url.copy_with(
            scheme=self.target.scheme, host=self.target.host, port=self.target.port
        )


class RewritingTransport(httpx.HTTPTransport):
    """Sync transport that sends Amazon/Audible requests where the rewriter says."""

    def __init__(self, rewrite: UrlRewriter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = self._rewrite(request.url)
        return super().handle_request(request)


class AsyncRewritingTransport(httpx.AsyncHTTPTransport):
    """Async twin of RewritingTransport for ``audible.AsyncClient``."""

    def __init__(self, rewrite: UrlRewriter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = self._rewrite(request.url)
        return await super().handle_async_request(request)


class Upstream:
    """Factory for every upstream client, configured once from GatewayConfig."""

    def __init__(self, config: GatewayConfig) -> None:
        self.timeout = config.upstream_timeout_s
        self.concurrency = config.page_concurrency
        self.rewrite = UrlRewriter(config.sandbox_url)
        # The login page is opened by a person, who may reach the sandbox under another name
        # than the gateway does (compose: http://sandbox:8765 inside, 127.0.0.1:8765 outside).
        self.public_rewrite = UrlRewriter(config.sandbox_public_url or config.sandbox_url)
        self.redirected = config.sandbox_url is not None

    def _limits(self) -> httpx.Limits:
        return httpx.Limits(max_connections=self.concurrency + 2, max_keepalive_connections=8)

    def _transport_kwargs(self, asynchronous: bool) -> dict[str, Any]:
        if not self.redirected:
            return {"limits": self._limits()}
        cls = AsyncRewritingTransport if asynchronous else RewritingTransport
        return {"transport": cls(self.rewrite, limits=self._limits())}

    def public_url(self, url: str) -> str:
        """A URL a person opens (the login page), pointed where upstream traffic goes."""
        return str(self.public_rewrite(httpx.URL(url)))

    def api_client(self, auth: audible.Authenticator) -> audible.Client:
        # audible annotates timeout as int; it is handed to httpx, which takes seconds as float.
        timeout: Any = self.timeout
        return audible.Client(auth=auth, timeout=timeout, **self._transport_kwargs(False))

    def async_api_client(self, auth: audible.Authenticator) -> audible.AsyncClient:
        timeout: Any = self.timeout
        return audible.AsyncClient(auth=auth, timeout=timeout, **self._transport_kwargs(True))

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """A plain client for the identity endpoints and the Amazon login pages."""
        kwargs.setdefault("timeout", self.timeout)
        return httpx.Client(**kwargs, **self._transport_kwargs(False))

    @staticmethod
    def identity_url(domain: str, path: str, with_username: bool = False) -> str:
        """``https://api.amazon.<tld><path>`` (``api.audible`` for pre-Amazon accounts)."""
        host = "audible" if with_username else "amazon"
        return f"https://api.{host}.{domain}{path}"
