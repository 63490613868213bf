"""The sandbox's mutable world: the library, listening progress, devices, tokens and faults.

Everything the HTTP layer does goes through these methods, and tests call the same methods
in-process (``server.state.update_progress(...)``) instead of the control API when they like.
All methods are thread-safe: the server answers concurrent page requests.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from audible_gateway.sandbox import clock
from audible_gateway.sandbox import credentials
from audible_gateway.sandbox.faults import Fault

LOCALES: dict[str, tuple[str, str]] = {
    # country code -> (domain, marketplace id); same table as audible.localization
    "us": ("com", "AF2M0KC94RCEA"),
    "uk": ("co.uk", "A2I9A3Q2GNFNGQ"),
    "de": ("de", "AN7V1F1VY261K"),
    "fr": ("fr", "A2728XDNODOQ8T"),
    "ca": ("ca", "A2CQZ5RBY40XE"),
    "it": ("it", "A2N7FU2W2BU2ZC"),
    "au": ("com.au", "AN7EY7DTAW63G"),
    "in": ("in", "AJO3FBRUE6J4S"),
    "jp": ("co.jp", "A1QAP3MOU4173J"),
    "es": ("es", "ALMIKO4SZCSAR"),
    "br": ("com.br", "A10J1VAYUDTYRN"),
}
HOME_REGIONS = {"com": "NA", "ca": "NA", "com.br": "NA", "co.jp": "FE", "com.au": "FE"}
REFRESH_MODES = ("normal", "actor_access_token", "invalid_grant")
CODE_LIFETIME_S = 600


class SandboxError(Exception):
    """A request the sandbox refuses; carries the HTTP status and the JSON body to answer."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


class UnknownItem(KeyError):
    """No title with that ASIN is in the library."""


@dataclass
class Device:
    device_id: int
    serial: str
    domain: str
    adp_token: str
    public_key: rsa.RSAPublicKey
    name: str
    refresh_token: str
    registered_at: str
    active: bool = True

    def describe(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "name": self.name,
            "domain": self.domain,
            "registered_at": self.registered_at,
            "active": self.active,
        }


@dataclass
class AccessGrant:
    device_id: int
    expires_at: float


@dataclass
class IssuedCode:
    domain: str
    code_challenge: str | None
    client_id: str | None
    issued_at: float
    used: bool = False


@dataclass
class Config:
    page_cap: int = 10_000  # page * num_results beyond this -> "Implied library size ..."
    max_page_size: int = 1000
    default_page_size: int = 50
    token_lifetime_s: int = 3600
    refresh_mode: str = "normal"
    latency_s: float = 0.0
    max_clock_skew_s: float | None = 900.0  # None: accept any signed date
    customer_name: str = "Alex Listener"


@dataclass
class _Progress:
    position_ms: int | None = None
    last_updated: str | None = None


@dataclass
class _Finish:
    asin: str
    is_marked_as_finished: bool
    event_timestamp: str
    update_date: str


@dataclass
class _Caches:
    version: int = 0
    orders: dict[str, list[str]] = field(default_factory=dict)
    fragments: dict[frozenset[str], dict[str, str]] = field(default_factory=dict)


def _runtime_ms(item: dict[str, Any]) -> int | None:
    minutes = item.get("runtime_length_min")
    if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
        return int(minutes * 60_000)
    return None


def _listening_status(item: dict[str, Any]) -> dict[str, Any]:
    """The item's listening_status, or {} when absent or not an object (a library file may
    carry anything; the sandbox serves it as given and must not crash on it)."""
    status = item.get("listening_status")
    return status if isinstance(status, dict) else {}


def _percent_of(item: dict[str, Any]) -> float:
    value = _listening_status(item).get("percent_complete")
    if value is None:
        value = item.get("percent_complete")
    try:
        return float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _finished_of(item: dict[str, Any]) -> bool:
    value = _listening_status(item).get("is_finished")
    return bool(item.get("is_finished") if value is None else value)


class SandboxState:
    """The library and account behind one sandbox (one Audible customer)."""

    def __init__(self, library: list[dict[str, Any]] | None = None, config: Config | None = None):
        self.config = config or Config()
        self.lock = threading.RLock()
        self.items: dict[str, dict[str, Any]] = {}
        self.tombstones: dict[str, dict[str, Any]] = {}
        self.changed_at: dict[str, int] = {}
        self.positions: dict[str, _Progress] = {}
        self.finishes: dict[str, _Finish] = {}
        self.listening_log: list[tuple[int, int]] = []  # (epoch ms, listened ms)
        self.extra_keys: frozenset[str] = frozenset()
        self.devices: dict[int, Device] = {}
        self.devices_by_adp: dict[str, Device] = {}
        self.refresh_tokens: dict[str, int] = {}
        self.access_tokens: dict[str, AccessGrant] = {}
        self.codes: dict[str, IssuedCode] = {}
        self.faults: list[Fault] = []
        self.calls: Counter[str] = Counter()
        self.customer_id = credentials.new_account_id()
        self._clock_ms = 0
        self.caches = _Caches()
        self.set_library(library or [])
        from audible_gateway.sandbox.collections import CollectionStore

        self.collections = CollectionStore(self)

    # ------------------------------------------------------------------ clock, caches
    def tick(self) -> int:
        """A strictly increasing epoch-ms stamp for changes (State-Token values)."""
        with self.lock:
            self._clock_ms = max(clock.epoch_ms(clock.now()), self._clock_ms + 1)
            return self._clock_ms

    @property
    def state_token(self) -> str:
        return str(self._clock_ms)

    def _invalidate(self, asin: str | None = None) -> None:
        caches = self.caches
        caches.version += 1
        caches.orders.clear()
        if asin is None:
            caches.fragments.clear()
        else:
            for fragments in caches.fragments.values():
                fragments.pop(asin, None)

    # ------------------------------------------------------------------ library
    def set_library(self, library: list[dict[str, Any]]) -> None:
        """Replace the library; titles that disappear are kept as Revoked (returned) titles."""
        items = _validated_items(library)
        with self.lock:
            stamp = self.tick()
            for asin, old in self.items.items():
                if asin not in items:
                    self.tombstones[asin] = {**old, "status": "Revoked"}
                    self.changed_at[asin] = stamp
            for asin in items:
                self.tombstones.pop(asin, None)
            self.items = items
            for asin, item in items.items():
                self.changed_at[asin] = stamp
                self._seed_progress(asin, item)
            self._recompute_extra_keys()
            self._invalidate()

    def add_items(self, library: list[dict[str, Any]]) -> list[str]:
        """Add or replace titles (a purchase between syncs); returns their ASINs."""
        items = _validated_items(library)
        with self.lock:
            stamp = self.tick()
            for asin, item in items.items():
                self.items[asin] = item
                self.tombstones.pop(asin, None)
                self.changed_at[asin] = stamp
                self._seed_progress(asin, item)
            self._recompute_extra_keys()
            self._invalidate()
            return list(items)

    def remove_item(self, asin: str) -> None:
        """The customer returned the title: it disappears from Active and shows as Revoked."""
        with self.lock:
            item = self.items.pop(asin, None)
            if item is None:
                raise UnknownItem(asin)
            self.tombstones[asin] = {**item, "status": "Revoked"}
            self.changed_at[asin] = self.tick()
            self._invalidate()

    def update_item(self, asin: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Set raw item fields (e.g. ``{"status": "Revoked"}`` or a new title)."""
        with self.lock:
            item = self._item(asin)
            item.update(fields)
            self.changed_at[asin] = self.tick()
            if set(fields) - self.extra_keys:
                self._recompute_extra_keys()
                self._invalidate()
            else:
                self._invalidate(asin)
            return item

    def get_item(self, asin: str) -> dict[str, Any]:
        with self.lock:
            return self._item(asin)

    def _item(self, asin: str) -> dict[str, Any]:
        item = self.items.get(asin) or self.tombstones.get(asin)
        if item is None:
            raise UnknownItem(asin)
        return item

    def _recompute_extra_keys(self) -> None:
        from audible_gateway.sandbox.groups import ITEM_KEYS

        known = set(ITEM_KEYS)
        extra: set[str] = set()
        for item in self.items.values():
            if len(item) > len(known) or not known.issuperset(item):
                extra.update(k for k in item if k not in known)
        self.extra_keys = frozenset(extra)

    # ------------------------------------------------------------------ progress
    def _seed_progress(self, asin: str, item: dict[str, Any]) -> None:
        """Positions, finish records and listening history implied by a loaded item."""
        percent = _percent_of(item)
        finished = _finished_of(item)
        runtime = _runtime_ms(item)
        self.positions.pop(asin, None)
        self.finishes.pop(asin, None)
        if not finished and percent <= 0:
            return
        status = item.get("listening_status") or {}
        finished_at = clock.parse_timestamp(status.get("finished_at_timestamp"))
        purchased = clock.parse_timestamp(item.get("purchase_date")) or clock.now()
        heard_at = finished_at or min(
            clock.now(), purchased + timedelta(days=2 + int(percent) // 4, hours=3)
        )
        position = runtime if finished else (int(runtime * percent / 100) if runtime else 0)
        self.positions[asin] = _Progress(position, clock.position_timestamp(heard_at))
        if finished:
            stamp = clock.api_timestamp(heard_at)
            self.finishes[asin] = _Finish(asin, True, stamp, stamp)
        if position:
            self.listening_log.append((clock.epoch_ms(heard_at), position))

    def update_progress(
        self,
        asin: str,
        *,
        percent: float | None = None,
        is_finished: bool | None = None,
        finished_at: str | None = None,
        position_ms: int | None = None,
    ) -> dict[str, Any]:
        """A person listened (or marked finished) between syncs.

        Keeps ``listening_status``, the top-level ``percent_complete``/``is_finished``, the
        last position and the finished-status history consistent with each other.
        """
        with self.lock:
            item = self._item(asin)
            runtime = _runtime_ms(item)
            moment = clock.now()
            old_percent = _percent_of(item)
            was_finished = _finished_of(item)
            if percent is None and position_ms is not None and runtime:
                percent = min(100.0, position_ms * 100.0 / runtime)
            if percent is not None and position_ms is None and runtime:
                position_ms = int(runtime * percent / 100)
            if finished_at is not None and is_finished is None:
                is_finished = True
            finished = was_finished if is_finished is None else bool(is_finished)
            if percent is None:
                percent = 100.0 if finished else old_percent
            if finished and is_finished:
                percent = 100.0
                if position_ms is None and runtime:
                    position_ms = runtime
            percent = round(max(0.0, min(100.0, float(percent))), 2)
            old_status = item.get("listening_status") or {}
            finished_stamp = None
            if finished:
                when = clock.parse_timestamp(finished_at) if finished_at else None
                if when is not None:
                    finished_stamp = clock.api_timestamp(when)
                elif was_finished and old_status.get("finished_at_timestamp"):
                    finished_stamp = old_status["finished_at_timestamp"]
                else:
                    finished_stamp = clock.api_timestamp(moment)
            remaining = int(runtime * (100.0 - percent) / 100 / 1000) if runtime else None
            item["listening_status"] = {
                "finished_at_timestamp": finished_stamp,
                "is_finished": finished,
                "percent_complete": percent,
                "time_remaining_seconds": 0 if finished else remaining,
            }
            item["percent_complete"] = percent
            item["is_finished"] = finished
            if position_ms is not None:
                previous = self.positions.get(asin)
                listened = position_ms - (previous.position_ms or 0 if previous else 0)
                self.positions[asin] = _Progress(int(position_ms), clock.position_timestamp(moment))
                if listened > 0:
                    self.listening_log.append((clock.epoch_ms(moment), listened))
            if finished != was_finished or (finished and finished_at):
                stamp = clock.api_timestamp(moment)
                self.finishes[asin] = _Finish(asin, finished, finished_stamp or stamp, stamp)
            self.changed_at[asin] = self.tick()
            self._invalidate(asin)
            return item

    def last_position(self, asin: str) -> dict[str, Any]:
        """One entry of ``asin_last_position_heard_annots`` (DoesNotExist when never played)."""
        with self.lock:
            progress = self.positions.get(asin)
        if progress is None or progress.position_ms is None:
            return {"asin": asin, "last_position_heard": {"status": "DoesNotExist"}}
        return {
            "asin": asin,
            "last_position_heard": {
                "last_updated": progress.last_updated,
                "position_ms": progress.position_ms,
                "status": "Exists",
            },
        }

    # ------------------------------------------------------------------ faults & counters
    def arm_fault(self, spec: dict[str, Any] | None = None, **kwargs: Any) -> Fault:
        """Arm a fault (see ``faults.Fault``); keyword form: ``arm_fault(path=..., status=429)``."""
        fault = Fault.from_spec({**(spec or {}), **kwargs})
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str, query: dict[str, str]) -> Fault | None:
        """The fault that fires for this request, counting it; None to answer normally."""
        with self.lock:
            for fault in self.faults:
                if fault.exhausted or not fault.matches(method, path, query):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after_calls:
                    continue
                fault.fired += 1
                return fault
        return None

    def count_call(self, method: str, path: str) -> None:
        with self.lock:
            self.calls[f"{method} {path}"] += 1

    def calls_to(self, path: str, method: str = "GET") -> int:
        with self.lock:
            return self.calls[f"{method} {path}"]

    def set_refresh_mode(self, mode: str) -> None:
        """``normal``, ``actor_access_token`` (body without access_token) or ``invalid_grant``."""
        if mode not in REFRESH_MODES:
            raise ValueError(f"refresh mode must be one of {', '.join(REFRESH_MODES)}")
        with self.lock:
            self.config.refresh_mode = mode

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /__sandbox/state`` shows: counts and devices, never a secret."""
        with self.lock:
            return {
                "library": {
                    "active": len(self.items),
                    "revoked": len(self.tombstones)
                    + sum(1 for i in self.items.values() if i.get("status") == "Revoked"),
                    "state_token": self.state_token,
                },
                "calls": dict(self.calls),
                "devices": [d.describe() for d in self.devices.values()],
                "active_access_tokens": sum(
                    1 for g in self.access_tokens.values() if g.expires_at > clock.now().timestamp()
                ),
                "faults": [f.describe() for f in self.faults],
                "config": {
                    "page_cap": self.config.page_cap,
                    "max_page_size": self.config.max_page_size,
                    "refresh_mode": self.config.refresh_mode,
                    "latency_s": self.config.latency_s,
                    "token_lifetime_s": self.config.token_lifetime_s,
                },
            }

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    # ------------------------------------------------------------------ identity
    def issue_code(
        self, domain: str, code_challenge: str | None = None, client_id: str | None = None
    ) -> str:
        """An authorization code, as Amazon puts into the maplanding URL after a login."""
        code = credentials.new_authorization_code()
        with self.lock:
            self.codes[code] = IssuedCode(
                domain, code_challenge, client_id, clock.now().timestamp()
            )
        return code

    def register_device(self, request: dict[str, Any]) -> dict[str, Any]:
        """``POST /auth/register``: check the code (single use, PKCE), mint a device."""
        auth_data = request.get("auth_data") if isinstance(request, dict) else None
        registration = request.get("registration_data") if isinstance(request, dict) else None
        if not isinstance(auth_data, dict) or not isinstance(registration, dict):
            raise SandboxError(400, _amazon_error("InvalidValue", "Missing auth_data."))
        code = auth_data.get("authorization_code")
        with self.lock:
            issued = self.codes.get(code) if isinstance(code, str) else None
            if (
                issued is None
                or issued.used
                or (clock.now().timestamp() - issued.issued_at > CODE_LIFETIME_S)
            ):
                raise SandboxError(
                    400,
                    _amazon_error(
                        "InvalidValue", "The authorization code is invalid or already used."
                    ),
                )
            if issued.code_challenge and not _pkce_ok(
                auth_data.get("code_verifier"), issued.code_challenge
            ):
                raise SandboxError(
                    400, _amazon_error("InvalidValue", "The code verifier does not match.")
                )
            issued.used = True
        key = credentials.KEY_POOL.take()
        domain = issued.domain
        serial = str(registration.get("device_serial") or credentials.new_cookie_value(20))
        given = self.config.customer_name.split()[0]
        with self.lock:
            device_id = len(self.devices) + 1
            ordinal = sum(1 for d in self.devices.values() if d.active)
            dupe = "" if ordinal == 0 else f"{_ordinal(ordinal + 1)} "
            device = Device(
                device_id=device_id,
                serial=serial,
                domain=domain,
                adp_token=credentials.new_adp_token(),
                public_key=key.public_key(),
                name=f"{given}'s {dupe}Audible for iPhone",
                refresh_token=credentials.new_refresh_token(),
                registered_at=clock.api_timestamp(clock.now()),
            )
            self.devices[device_id] = device
            self.devices_by_adp[device.adp_token] = device
            self.refresh_tokens[device.refresh_token] = device_id
            access_token = self._grant_access(device_id)
        return _register_response(
            device, key, access_token, self, str(registration.get("device_type") or "")
        )

    def _grant_access(self, device_id: int) -> str:
        token = credentials.new_access_token()
        self.access_tokens[token] = AccessGrant(
            device_id, clock.now().timestamp() + self.config.token_lifetime_s
        )
        return token

    def refresh(self, form: dict[str, str]) -> dict[str, Any]:
        """``POST /auth/token``: a fresh access token for a known refresh token."""
        token = form.get("source_token", "")
        with self.lock:
            device_id = self.refresh_tokens.get(token)
            device = self.devices.get(device_id) if device_id is not None else None
            if (
                device is None
                or not device.active
                or form.get("requested_token_type") != "access_token"
                or self.config.refresh_mode == "invalid_grant"
            ):
                raise SandboxError(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The request has an invalid grant parameter : "
                        "source_token",
                        "error_index": "0",
                    },
                )
            access_token = self._grant_access(device.device_id)
            mode = self.config.refresh_mode
        name = "actor_access_token" if mode == "actor_access_token" else "access_token"
        return {name: access_token, "token_type": "bearer", "expires_in": 3600}

    def device_for_access_token(self, token: str | None) -> Device | None:
        """The device behind a known, unexpired ``x-amz-access-token``."""
        if not token:
            return None
        with self.lock:
            grant = self.access_tokens.get(token)
            if grant is None or grant.expires_at <= clock.now().timestamp():
                return None
            return self.devices.get(grant.device_id)

    def device_for_adp_token(self, adp_token: str) -> Device | None:
        with self.lock:
            device = self.devices_by_adp.get(adp_token)
            return device if device is not None and device.active else None

    def deregister(self, access_token: str | None, deregister_all: bool) -> dict[str, Any]:
        """``POST /auth/deregister``: signing keys and refresh tokens stop working at once."""
        device = self.device_for_access_token(access_token)
        if device is None:
            raise SandboxError(
                403, {"message": "Request could not be authenticated", "request_id": _rid()}
            )
        with self.lock:
            targets = list(self.devices.values()) if deregister_all else [device]
            for target in targets:
                target.active = False
                self.refresh_tokens.pop(target.refresh_token, None)
        return {"response": {"success": {}}, "request_id": _rid()}

    def expire_access_tokens(self) -> None:
        """Make every issued access token expired (bearer-mode tests)."""
        with self.lock:
            for grant in self.access_tokens.values():
                grant.expires_at = 0

    def revoke_device(self, device_id: int | None = None) -> None:
        """Invalidate one device (or all) server-side, as when Amazon drops a registration."""
        with self.lock:
            for device in self.devices.values():
                if device_id is None or device.device_id == device_id:
                    device.active = False
                    self.refresh_tokens.pop(device.refresh_token, None)


def _validated_items(library: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if not isinstance(library, list):
        raise ValueError("a library is a list of items")
    items: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(library):
        if not isinstance(item, dict):
            raise ValueError(f"library item {index} is not an object")
        asin = item.get("asin")
        if not isinstance(asin, str) or not asin:
            raise ValueError(f"library item {index} has no asin")
        if asin in items:
            raise ValueError(f"ASIN {asin} appears twice in the library")
        items[asin] = dict(item)
    return items


def _pkce_ok(verifier: Any, challenge: str) -> bool:
    if not isinstance(verifier, str):
        return False
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=") == challenge


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _rid() -> str:
    return credentials.new_cookie_value(15)


def _amazon_error(code: str, message: str) -> dict[str, Any]:
    return {"response": {"error": {"code": code, "message": message}}, "request_id": _rid()}


def _register_response(
    device: Device, key: rsa.RSAPrivateKey, access_token: str, state: SandboxState, device_type: str
) -> dict[str, Any]:
    domain = device.domain
    cookie_domain = f".amazon.{domain}"
    expires = (clock.now() + timedelta(days=365)).strftime("%d %b %Y %H:%M:%S GMT")
    suffix = "main" if domain == "com" else "acbuk" if domain == "co.uk" else "acb" + domain[-2:]
    cookies = [
        {
            "Name": name,
            "Value": f'"{credentials.new_cookie_value()}"' if name.startswith("at-") else value,
            "Domain": cookie_domain,
            "Path": "/",
            "Expires": expires,
            "Secure": "true",
            "HttpOnly": "true" if name.startswith(("at-", "sess-", "x-")) else "false",
        }
        for name, value in (
            ("session-id", "130-" + str(secrets_int(7)) + "-" + str(secrets_int(7))),
            (f"ubid-{suffix}", "131-" + str(secrets_int(7)) + "-" + str(secrets_int(7))),
            (f"x-{suffix}", credentials.new_cookie_value(30)),
            (f"at-{suffix}", ""),
            (f"sess-at-{suffix}", credentials.new_cookie_value(30)),
        )
    ]
    name = state.config.customer_name
    return {
        "response": {
            "success": {
                "tokens": {
                    "website_cookies": cookies,
                    "store_authentication_cookie": {"cookie": credentials.new_cookie_value(60)},
                    "mac_dms": {
                        "device_private_key": credentials.private_key_pem(key),
                        "adp_token": device.adp_token,
                    },
                    "bearer": {
                        "access_token": access_token,
                        "refresh_token": device.refresh_token,
                        "expires_in": "3600",
                    },
                },
                "extensions": {
                    "device_info": {
                        "device_name": device.name,
                        "device_serial_number": device.serial,
                        "device_type": device_type or "A2CZJZGLK2JJVM",
                    },
                    "customer_info": {
                        "account_pool": "Amazon",
                        "user_id": state.customer_id,
                        "home_region": HOME_REGIONS.get(domain, "EU"),
                        "name": name,
                        "given_name": name.split()[0],
                    },
                },
                "customer_id": state.customer_id,
            }
        },
        "request_id": _rid(),
    }


def secrets_int(digits: int) -> int:
    import secrets

    return secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)
