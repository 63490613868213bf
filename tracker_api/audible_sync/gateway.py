"""The one HTTP client of the Audible gateway: explicit timeouts, bounded retries, typed errors.

Every call the tracker makes to the gateway goes through :func:`_post`. Transport failures
(connection refused, timeouts), 429 and 5xx answers are retried with exponential backoff
(tenacity); a ``retry_after`` from the gateway replaces the backoff. The whole effort stays
inside a time budget: when the next wait would overrun it, the call gives up at once and
raises :class:`GatewayCallError` carrying the wait, so the caller can say when to try again.

The shared secret travels in ``X-API-Secret`` and appears in no exception message and no log;
nor does a sealed blob. Django settings (read from the environment of the same names by
``tracker_api/config/settings.py``):

* ``AUDIBLE_SERVICE_URL``, ``AUDIBLE_API_SECRET`` (lead-owned settings);
* ``AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S`` (5), ``AUDIBLE_GATEWAY_READ_TIMEOUT_S`` (120),
  ``AUDIBLE_GATEWAY_RETRY_ATTEMPTS`` (4), ``AUDIBLE_GATEWAY_RETRY_BASE_S`` (1),
  ``AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S`` (30), ``AUDIBLE_GATEWAY_RETRY_BUDGET_S`` (120).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tenacity import RetryCallState
from tenacity import Retrying
from tenacity import retry_if_exception

from audible_contract import wire
from audible_contract.wire import SECRET_HEADER

log = logging.getLogger("tracker_api.audible_sync.gateway")

REAUTH_REQUIRED = wire.REAUTH_REQUIRED
UNREACHABLE = "gateway_unreachable"
TIMEOUT = "gateway_timeout"
BAD_ANSWER = "gateway_bad_answer"
NOT_CONFIGURED = "gateway_not_configured"
# Gateway codes that another attempt cannot fix (the request or the credentials are wrong).
PERMANENT_CODES = frozenset(
    {
        REAUTH_REQUIRED,
        wire.INVALID_AUTH_BLOB,
        wire.INVALID_SECRET,
        wire.VALIDATION_ERROR,
        wire.BAD_RESPONSE,
        NOT_CONFIGURED,
    }
)


class GatewayCallError(Exception):
    """A gateway call failed. ``permanent`` means retrying cannot help (e.g. re-login needed).

    The tracker's side of a call; the gateway's own error answers are raised inside the gateway
    as ``audible_gateway.errors.GatewayError``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        permanent: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after

    @property
    def needs_relogin(self) -> bool:
        return self.code in (REAUTH_REQUIRED, wire.INVALID_AUTH_BLOB)

    def __repr__(self) -> str:
        return f"GatewayCallError({self.code!r}, status={self.status}, permanent={self.permanent})"


@dataclass(frozen=True)
class LibraryResult:
    """The gateway's library answer: normalised items, a refreshed blob (or None), problems."""

    items: list[dict[str, Any]]
    new_auth: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    complete: bool = True
    audible_requests: int | None = None


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    secret: str
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 120.0
    attempts: int = 4
    base_s: float = 1.0
    max_wait_s: float = 30.0
    budget_s: float = 120.0


def _number(name: str) -> float:
    """A timeout or backoff setting; negative is refused (a settings file may set any value)."""
    value = getattr(settings, name)
    if float(value) < 0:
        raise ImproperlyConfigured(f"{name} must not be negative.")
    return float(value)


def client_settings() -> ClientSettings:
    """Read from the settings on every call, so an override (tests) takes effect at once."""
    return ClientSettings(
        base_url=str(getattr(settings, "AUDIBLE_SERVICE_URL", "") or "").rstrip("/"),
        secret=str(getattr(settings, "AUDIBLE_API_SECRET", "") or ""),
        connect_timeout_s=_number("AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S"),
        read_timeout_s=_number("AUDIBLE_GATEWAY_READ_TIMEOUT_S"),
        attempts=max(1, int(_number("AUDIBLE_GATEWAY_RETRY_ATTEMPTS"))),
        base_s=_number("AUDIBLE_GATEWAY_RETRY_BASE_S"),
        max_wait_s=_number("AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S"),
        budget_s=_number("AUDIBLE_GATEWAY_RETRY_BUDGET_S"),
    )


# --------------------------------------------------------------------------- error mapping
def _error_from_response(response: requests.Response) -> GatewayCallError:
    """A non-2xx answer -> GatewayCallError; the gateway's own code and sentence pass through."""
    code, message, retry_after = f"gateway_http_{response.status_code}", "", None
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or code)
        message = str(error.get("message") or "")
        raw_retry = error.get("retry_after")
        if isinstance(raw_retry, int | float) and not isinstance(raw_retry, bool):
            retry_after = float(raw_retry)
    if retry_after is None:
        header = response.headers.get("Retry-After", "").strip()
        if header.replace(".", "", 1).isdigit():
            retry_after = float(header)
    if not message:
        message = f"The Audible gateway answered HTTP {response.status_code}."
    transient = response.status_code == 429 or response.status_code >= 500
    permanent = code in PERMANENT_CODES or not transient
    return GatewayCallError(
        code, message, status=response.status_code, permanent=permanent, retry_after=retry_after
    )


def _transport_error(exc: requests.RequestException, url: str) -> GatewayCallError:
    # The URL is configuration, not a secret; the exception text is never passed on (it could
    # quote a request), only its kind.
    if isinstance(exc, requests.Timeout):
        return GatewayCallError(
            TIMEOUT,
            f"The Audible gateway at {url} did not answer in time.",
            permanent=False,
        )
    if isinstance(exc, requests.ConnectionError):
        return GatewayCallError(
            UNREACHABLE,
            f"The Audible gateway at {url} cannot be reached; is it running?",
            permanent=False,
        )
    return GatewayCallError(
        UNREACHABLE,
        f"The request to the Audible gateway failed ({type(exc).__name__}).",
        permanent=False,
    )


# --------------------------------------------------------------------------- retries
class _Policy:
    def __init__(self, cfg: ClientSettings) -> None:
        self.cfg = cfg

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, GatewayCallError) and exc.retry_after is not None:
            return exc.retry_after
        return min(self.cfg.max_wait_s, self.cfg.base_s * 2 ** (state.attempt_number - 1))

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.cfg.attempts:
            return True
        elapsed = state.seconds_since_start or 0.0
        return elapsed + self.wait(state) > self.cfg.budget_s


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, GatewayCallError) and not exc.permanent


def _post(path: str, payload: dict[str, Any], *, session: requests.Session | None = None) -> Any:
    """POST JSON to the gateway with retries; the parsed JSON answer or a GatewayCallError."""
    cfg = client_settings()
    if not cfg.base_url or not cfg.secret:
        raise GatewayCallError(
            NOT_CONFIGURED,
            "The tracker is not configured to reach the Audible gateway "
            "(AUDIBLE_SERVICE_URL and AUDIBLE_API_SECRET).",
            permanent=True,
        )
    url = cfg.base_url + path
    http = session or requests
    policy = _Policy(cfg)

    def once() -> Any:
        try:
            response = http.post(
                url,
                json=payload,
                headers={SECRET_HEADER: cfg.secret, "Accept": "application/json"},
                timeout=(cfg.connect_timeout_s, cfg.read_timeout_s),
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, cfg.base_url) from None
        if response.status_code >= 400:
            raise _error_from_response(response)
        try:
            return response.json()
        except ValueError:
            raise GatewayCallError(
                BAD_ANSWER,
                "The Audible gateway sent an answer that is not JSON.",
                status=response.status_code,
                permanent=False,
            ) from None

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "gateway %s failed (%s), attempt %d; retrying",
            path.split("/")[2] if path.count("/") >= 2 else path,
            getattr(exc, "code", type(exc).__name__),
            state.attempt_number,
        )

    retrying = Retrying(
        retry=retry_if_exception(_retryable),
        stop=policy.stop,
        wait=policy.wait,
        reraise=True,
        sleep=time.sleep,
        before_sleep=before_sleep,
    )
    for attempt in retrying:
        with attempt:
            return once()
    raise AssertionError("unreachable")  # pragma: no cover


def _answer_dict(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise GatewayCallError(
            BAD_ANSWER,
            f"The Audible gateway's {what} answer is not a JSON object.",
            permanent=False,
        )
    return answer


# --------------------------------------------------------------------------- the calls
def connect(body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/auth passthrough (external login, auth file, password): the gateway's answer."""
    return _answer_dict(_post("/api/auth", body), "connect")


def fetch_library(
    sealed: str,
    *,
    include_revoked: bool = True,
    known_progress: dict[str, list[Any]] | None = None,
) -> LibraryResult:
    """Every title of the account, normalised, plus a refreshed blob when the gateway made one.

    ``known_progress`` (ASIN -> ``[percent, time_remaining_s, position_ms,
    position_updated_at]`` of titles in progress) spares Audible a position lookup for every
    title whose listening state has not moved; the answer is the same either way.
    """
    payload: dict[str, Any] = {"auth": sealed, "include_revoked": include_revoked}
    if known_progress:
        payload["known_progress"] = known_progress
    answer = _answer_dict(_post("/api/library", payload), "library")
    items = answer.get("items")
    if not isinstance(items, list):
        raise GatewayCallError(
            BAD_ANSWER, "The Audible gateway's library answer has no item list.", permanent=False
        )
    new_auth = answer.get("auth")
    problems = answer.get("errors") or []
    return LibraryResult(
        items=items,
        new_auth=new_auth if isinstance(new_auth, str) and new_auth else None,
        errors=[p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else [],
        total=int(answer.get("total") or len(items)),
        complete=bool(answer.get("complete", True)),
        audible_requests=_count(answer.get("audible_requests")),
    )


def _count(value: Any) -> int | None:
    """A whole number the gateway reported, or None (an older gateway does not report it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def refresh(sealed: str) -> str:
    """A new access token inside a new sealed blob."""
    answer = _answer_dict(_post("/api/refresh-token", {"auth": sealed}), "refresh")
    blob = answer.get("auth")
    if not isinstance(blob, str) or not blob:
        raise GatewayCallError(
            BAD_ANSWER, "The Audible gateway's refresh answer has no auth blob.", permanent=False
        )
    return blob


def deregister(sealed: str) -> None:
    """Deregister the device behind ``sealed`` at Amazon (``POST /api/deregister``)."""
    answer = _answer_dict(_post("/api/deregister", {"auth": sealed}), "deregister")
    if answer.get("status") != "deregistered":
        raise GatewayCallError(
            BAD_ANSWER,
            "The Audible gateway's deregister answer is not 'deregistered'.",
            permanent=False,
        )


def progress(sealed: str, asin: str) -> dict[str, Any]:
    """Position, percent and finished state of one title (``auth`` is a new blob or null)."""
    return _answer_dict(_post(f"/api/progress/{asin}", {"auth": sealed}), "progress")


@dataclass(frozen=True)
class ListeningResult:
    """Audible's listening aggregates: ``[(YYYY-MM-DD, ms)]`` days, ``[(YYYY-MM, ms)]`` months."""

    days: list[tuple[str, int]]
    months: list[tuple[str, int]]
    total_ms: int | None = None
    new_auth: str | None = None
    audible_requests: int | None = None


def _periods(rows: Any, key: str, width: int) -> list[tuple[str, int]]:
    if not isinstance(rows, list):
        raise GatewayCallError(
            BAD_ANSWER, "The gateway's stats answer has no list.", permanent=False
        )
    found = []
    for row in rows:
        ident = row.get(key) if isinstance(row, dict) else None
        ms = _count(row.get("listened_ms")) if isinstance(row, dict) else None
        if not isinstance(ident, str) or len(ident) != width or ms is None:
            raise GatewayCallError(
                BAD_ANSWER, "The gateway's stats answer has a malformed period.", permanent=False
            )
        found.append((ident, ms))
    return found


def listening_stats(sealed: str, *, days: int = 30, months: int = 12) -> ListeningResult:
    """Listening time per day and month (``POST /api/stats``: Audible's own aggregates)."""
    answer = _answer_dict(
        _post("/api/stats", {"auth": sealed, "days": days, "months": months}), "stats"
    )
    new_auth = answer.get("auth")
    return ListeningResult(
        days=_periods(answer.get("days"), "date", 10),
        months=_periods(answer.get("months"), "month", 7),
        total_ms=_count(answer.get("total_ms")),
        new_auth=new_auth if isinstance(new_auth, str) and new_auth else None,
        audible_requests=_count(answer.get("audible_requests")),
    )


@dataclass(frozen=True)
class CollectionsResult:
    """The account's collections: ``[{collection_id, name, description, asins}]``."""

    collections: list[dict[str, Any]]
    new_auth: str | None = None
    audible_requests: int | None = None


def _collection(row: Any) -> dict[str, Any]:
    ident = row.get("collection_id") if isinstance(row, dict) else None
    asins = row.get("asins") if isinstance(row, dict) else None
    if (
        not isinstance(ident, str)
        or not isinstance(asins, list)
        or not all(isinstance(a, str) for a in asins)
    ):
        raise GatewayCallError(
            BAD_ANSWER, "The gateway's collections answer has a malformed entry.", permanent=False
        )
    name = row.get("name")
    return {"collection_id": ident, "name": name if isinstance(name, str) else "", "asins": asins}


def fetch_collections(sealed: str) -> CollectionsResult:
    """Every collection of the account with its ASINs (``POST /api/collections``)."""
    answer = _answer_dict(_post("/api/collections", {"auth": sealed}), "collections")
    rows = answer.get("collections")
    if not isinstance(rows, list):
        raise GatewayCallError(
            BAD_ANSWER, "The gateway's collections answer has no list.", permanent=False
        )
    new_auth = answer.get("auth")
    return CollectionsResult(
        collections=[_collection(row) for row in rows],
        new_auth=new_auth if isinstance(new_auth, str) and new_auth else None,
        audible_requests=_count(answer.get("audible_requests")),
    )
