"""Gateway configuration, read from the environment once at start and validated.

The gateway refuses to start without ``API_SECRET`` and ``ENCRYPTION_KEY``. Only an explicit
development mode (``DEBUG=true``) may run without them: it then generates throwaway values
and logs a loud warning, because anything sealed with a throwaway key dies with the process.
``AUDIBLE_SANDBOX_URL`` alone never relaxes this: a gateway pointed at the sandbox still
needs real secrets unless ``DEBUG`` is set too.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.fernet import Fernet

from audible_contract.secrets import MIN_SECRET_LENGTH
from audible_contract.secrets import is_placeholder
from audible_gateway.sealing import InvalidKeyError
from audible_gateway.sealing import parse_keys

log = logging.getLogger("audible_gateway.config")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # an encrypted auth file is a few KB; 1 MiB is generous
MIN_MAX_BODY_BYTES = 16 * 1024


class ConfigError(RuntimeError):
    """The environment does not describe a gateway that may start."""


@dataclass(frozen=True)
class GatewayConfig:
    """Everything the gateway reads from its environment, already validated."""

    api_secret: str  # the current shared secret
    encryption_keys: tuple[bytes, ...]
    debug: bool = False
    throwaway_secrets: bool = False
    # Older shared secrets still accepted while callers move to the new one (API_SECRET="new,old").
    previous_api_secrets: tuple[str, ...] = ()
    sandbox_url: str | None = None
    # Where a person's browser reaches the sandbox (login URLs); None: sandbox_url.
    sandbox_public_url: str | None = None
    upstream_timeout_s: float = 30.0
    retry_attempts: int = 4
    retry_base_s: float = 0.5
    retry_max_wait_s: float = 8.0
    retry_budget_s: float = 20.0
    page_size: int = 1000  # Audible accepts 10..1000 titles per page
    page_concurrency: int = 6
    lastpositions_batch: int = 50
    login_state_ttl_s: int = 900
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def _bool(name: str, raw: str | None) -> bool:
    text = (raw or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


def _number(name: str, raw: str | None, default: float, minimum: float) -> float:
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}.")
    return value


def _sandbox_url(raw: str | None, name: str = "AUDIBLE_SANDBOX_URL") -> str | None:
    if raw is None or not raw.strip():
        return None
    url = httpx.URL(raw.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{name} must be an http(s) URL such as http://127.0.0.1:8765.")
    return str(url).rstrip("/")


def load_config(env: Mapping[str, Any]) -> GatewayConfig:
    """Build the config from an environment mapping; raise ConfigError when it may not start."""
    debug = _bool("DEBUG", env.get("DEBUG"))
    given_secrets = [part.strip() for part in (env.get("API_SECRET") or "").split(",")]
    secret, previous = (given_secrets[0], tuple(p for p in given_secrets[1:] if p))
    keys_raw = (env.get("ENCRYPTION_KEY") or "").strip()
    throwaway = False
    if not secret or not keys_raw:
        if not debug:
            pairs = (("API_SECRET", secret), ("ENCRYPTION_KEY", keys_raw))
            missing = [name for name, value in pairs if not value]
            raise ConfigError(
                f"Refusing to start: {' and '.join(missing)} must be set "
                "(or set DEBUG=true for a throwaway development gateway)."
            )
        throwaway = True
        if not secret:
            secret = secrets.token_urlsafe(32)
        if not keys_raw:
            keys_raw = Fernet.generate_key().decode()
        log.warning(
            "!!! DEVELOPMENT MODE: generated a THROWAWAY %s. Nothing sealed now will open after "
            "a restart; a generated secret is shown nowhere, so set API_SECRET to call the API. "
            "Never run like this in production. !!!",
            " and ".join(
                name
                for name, given in (
                    ("API_SECRET", env.get("API_SECRET")),
                    ("ENCRYPTION_KEY", env.get("ENCRYPTION_KEY")),
                )
                if not (given or "").strip()
            ),
        )
    if any(len(s) < MIN_SECRET_LENGTH for s in (secret, *previous)) and not debug:
        raise ConfigError(
            f"API_SECRET must be at least {MIN_SECRET_LENGTH} characters long (each of them)."
        )
    if not debug and any(is_placeholder(s) for s in (secret, *previous)):
        # A value from .env.example is public: a gateway holding it has no secret at all.
        raise ConfigError(
            "Refusing to start: API_SECRET is a placeholder from the examples; "
            "set a fresh random value (`make secrets`)."
        )
    try:
        keys = parse_keys(keys_raw)
    except InvalidKeyError as exc:
        raise ConfigError(str(exc)) from None
    page_size = _number("GATEWAY_PAGE_SIZE", env.get("GATEWAY_PAGE_SIZE"), 1000, 10)
    if page_size > 1000:
        raise ConfigError("GATEWAY_PAGE_SIZE must be at most 1000 (Audible's page limit).")
    return GatewayConfig(
        api_secret=secret,
        previous_api_secrets=previous,
        encryption_keys=keys,
        debug=debug,
        throwaway_secrets=throwaway,
        sandbox_url=_sandbox_url(env.get("AUDIBLE_SANDBOX_URL")),
        sandbox_public_url=_sandbox_url(
            env.get("AUDIBLE_SANDBOX_PUBLIC_URL"), "AUDIBLE_SANDBOX_PUBLIC_URL"
        ),
        upstream_timeout_s=_number(
            "GATEWAY_UPSTREAM_TIMEOUT_S", env.get("GATEWAY_UPSTREAM_TIMEOUT_S"), 30.0, 0.1
        ),
        retry_attempts=int(
            _number("GATEWAY_RETRY_ATTEMPTS", env.get("GATEWAY_RETRY_ATTEMPTS"), 4, 1)
        ),
        retry_base_s=_number("GATEWAY_RETRY_BASE_S", env.get("GATEWAY_RETRY_BASE_S"), 0.5, 0),
        retry_max_wait_s=_number(
            "GATEWAY_RETRY_MAX_WAIT_S", env.get("GATEWAY_RETRY_MAX_WAIT_S"), 8.0, 0
        ),
        retry_budget_s=_number(
            "GATEWAY_RETRY_BUDGET_S", env.get("GATEWAY_RETRY_BUDGET_S"), 20.0, 0
        ),
        page_size=int(page_size),
        page_concurrency=int(
            _number("GATEWAY_PAGE_CONCURRENCY", env.get("GATEWAY_PAGE_CONCURRENCY"), 6, 1)
        ),
        login_state_ttl_s=int(
            _number("GATEWAY_LOGIN_STATE_TTL_S", env.get("GATEWAY_LOGIN_STATE_TTL_S"), 900, 1)
        ),
        max_body_bytes=int(
            _number(
                "GATEWAY_MAX_BODY_BYTES",
                env.get("GATEWAY_MAX_BODY_BYTES"),
                DEFAULT_MAX_BODY_BYTES,
                MIN_MAX_BODY_BYTES,
            )
        ),
    )
