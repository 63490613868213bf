"""Armed faults: the failures real users of the Audible API meet, on demand.

A fault matches requests by path prefix (and optionally method and query values), lets the
first ``after_calls`` matching requests through (so "fail on page 3" works), then fires
``count`` times. Firing means: wait ``delay_s`` (latency, or a timeout when longer than the
client's), then either answer ``status`` with ``body`` (and ``Retry-After``), or, with no
status, let the request through with ``omit_headers`` removed (e.g. a missing Total-Count).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

DEFAULT_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "Bad request"},
    401: {"message": "Request could not be authenticated"},
    403: {"message": "Request could not be authenticated"},
    404: {"message": "Resource not found"},
    429: {"message": "Rate exceeded"},
    500: {"message": "An internal server error occurred"},
    502: {"message": "Bad Gateway"},
    503: {"message": "Service Unavailable"},
    504: {"message": "Gateway Timeout"},
}


class FaultSpecError(ValueError):
    """A fault description the sandbox cannot arm (bad field or value)."""


@dataclass
class Fault:
    path: str
    status: int | None = None
    count: int | None = 1  # None: fire on every matching call until cleared
    retry_after: float | None = None
    after_calls: int = 0
    match_query: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    delay_s: float = 0.0
    body: Any = None
    omit_headers: list[str] = field(default_factory=list)
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Fault:
        """Validate a JSON fault description (the control API's body)."""
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault is a JSON object")
        known = {
            "path",
            "status",
            "count",
            "retry_after",
            "after_calls",
            "match_query",
            "method",
            "delay_s",
            "body",
            "omit_headers",
        }
        unknown = set(spec) - known
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        path = spec.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise FaultSpecError("path must be a path prefix starting with '/'")
        status = spec.get("status")
        if status is not None:
            status = _int_field(str(status).split()[0], "status")
            if not 400 <= status <= 599:
                raise FaultSpecError("status must be an HTTP error status (400-599)")
        count = spec.get("count", 1)
        if count is not None:
            count = _int_field(count, "count")
            if count < 1:
                raise FaultSpecError("count must be at least 1 (or null for 'always')")
        match_query = spec.get("match_query") or {}
        if not isinstance(match_query, dict):
            raise FaultSpecError("match_query must be an object of query values")
        omit = spec.get("omit_headers") or []
        if not isinstance(omit, list) or not all(isinstance(h, str) for h in omit):
            raise FaultSpecError("omit_headers must be a list of header names")
        delay = float(spec.get("delay_s") or 0)
        if delay < 0:
            raise FaultSpecError("delay_s must not be negative")
        if status is None and not delay and not omit:
            raise FaultSpecError("a fault needs a status, a delay_s or omit_headers")
        retry_after = spec.get("retry_after")
        method = spec.get("method")
        return cls(
            path=path,
            status=status,
            count=count,
            retry_after=None if retry_after is None else float(retry_after),
            after_calls=max(0, _int_field(spec.get("after_calls", 0), "after_calls")),
            match_query={str(k): str(v) for k, v in match_query.items()},
            method=method.upper() if isinstance(method, str) else None,
            delay_s=delay,
            body=spec.get("body"),
            omit_headers=list(omit),
        )

    def matches(self, method: str, path: str, query: dict[str, str]) -> bool:
        if not path.startswith(self.path):
            return False
        if self.method and self.method != method.upper():
            return False
        return all(query.get(k) == v for k, v in self.match_query.items())

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def error_body(self) -> Any:
        if self.body is not None:
            return self.body
        return DEFAULT_BODIES.get(self.status or 500, {"message": "Error"})

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "count": self.count,
            "retry_after": self.retry_after,
            "after_calls": self.after_calls,
            "match_query": self.match_query,
            "method": self.method,
            "delay_s": self.delay_s,
            "omit_headers": self.omit_headers,
            "seen": self.seen,
            "fired": self.fired,
        }


def _int_field(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise FaultSpecError(f"{name} must be a whole number") from exc
