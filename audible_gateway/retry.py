"""Retrying Audible calls and translating Audible failures into gateway errors.

The ``audible`` package never retries and ignores ``Retry-After``. Here 429 and 5xx answers,
timeouts and network errors are retried with exponential backoff; a ``Retry-After`` header
replaces the backoff (capped). The whole effort stays inside a time budget, and when the
next wait would overrun it the gateway gives up at once and passes the wait on to the caller.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from audible import exceptions as ax
from tenacity import AsyncRetrying
from tenacity import RetryCallState
from tenacity import Retrying
from tenacity import retry_if_exception

from audible_gateway import errors

if TYPE_CHECKING:
    from audible_gateway.config import GatewayConfig

T = TypeVar("T")
RETRY_AFTER_CAP_S = 60.0
TRANSIENT = (ax.RatelimitError, ax.ServerError, ax.NotResponding, ax.NetworkError)


def is_transient(exc: BaseException) -> bool:
    """429, every 5xx, timeouts and network failures are worth another try."""
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, ax.StatusError) and exc.code >= 500


def retry_after_of(exc: BaseException) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), if the answer had one."""
    response = getattr(exc, "response", None)
    raw = response.headers.get("Retry-After") if response is not None else None
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts, backoff and a total time budget for one logical Audible call."""

    attempts: int = 4
    base_s: float = 0.5
    max_wait_s: float = 8.0
    budget_s: float = 20.0

    @classmethod
    def from_config(cls, config: GatewayConfig) -> RetryPolicy:
        return cls(
            attempts=config.retry_attempts,
            base_s=config.retry_base_s,
            max_wait_s=config.retry_max_wait_s,
            budget_s=config.retry_budget_s,
        )

    def next_wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = retry_after_of(exc) if exc is not None else None
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_CAP_S)
        return min(self.max_wait_s, self.base_s * 2 ** (state.attempt_number - 1))

    def should_stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.attempts:
            return True
        elapsed = state.seconds_since_start or 0.0
        return elapsed + self.next_wait(state) > self.budget_s

    def _kwargs(self) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(is_transient),
            "stop": self.should_stop,
            "wait": self.next_wait,
            "reraise": True,
        }

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` with retries; the last failure propagates unchanged."""
        for attempt in Retrying(sleep=time.sleep, **self._kwargs()):
            with attempt:
                return fn()
        raise AssertionError("unreachable")  # pragma: no cover

    async def acall(self, fn: Callable[[], Awaitable[T]]) -> T:
        async for attempt in AsyncRetrying(**self._kwargs()):
            with attempt:
                return await fn()
        raise AssertionError("unreachable")  # pragma: no cover


def translate(exc: BaseException) -> errors.GatewayError:
    """An Audible/httpx failure -> the gateway's error with a stable code."""
    if isinstance(exc, errors.GatewayError):
        return exc
    if isinstance(exc, ax.Unauthorized):
        return errors.reauth_required(_detail(exc))
    if isinstance(exc, ax.RatelimitError):
        return errors.rate_limited(retry_after_of(exc))
    if is_transient(exc):
        return errors.unavailable(_detail(exc))
    if isinstance(exc, ax.StatusError):
        return errors.bad_upstream(_detail(exc))
    if isinstance(exc, ax.RequestError):
        return errors.unavailable("the connection to Audible failed")
    return errors.bad_upstream(type(exc).__name__)


def _detail(exc: BaseException) -> str:
    if isinstance(exc, ax.StatusError):
        text = exc.error if isinstance(exc.error, str) else ""
        return f"HTTP {exc.code}" + (f" {text[:200]}" if text else "")
    return str(getattr(exc, "error", "") or type(exc).__name__)
