"""Refuse to start wrong: every placeholder in .env.example, short and missing secrets, a
CRON_SECRET shared with the gateway, and a PORT the healthcheck does not probe.

The tracker side runs ``manage.py check`` and imports the WSGI entry point (what gunicorn
does) in fresh processes with the production settings; the gateway side runs its config
loader and ``create_app()``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.test import override_settings

from audible_contract.secrets import is_placeholder
from audible_gateway.config import ConfigError
from audible_gateway.config import load_config
from tracker_api.core.checks import STARTUP_TAG
from tracker_api.core.checks import check_port

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": "startup-check-secret-key-0123456789abcdefghij",
    "AUDIBLE_API_SECRET": "startup-check-gateway-secret-0123456789",
    "CRON_SECRET": "startup-check-cron-secret-0123456789",
}
SECRET_NAMES = {
    "SECRET_KEY",
    "API_SECRET",
    "AUDIBLE_API_SECRET",
    "CRON_SECRET",
    "ENCRYPTION_KEY",
    "POSTGRES_PASSWORD",
}


def example_values() -> dict[str, str]:
    """NAME=value lines of .env.example, the commented-out ones included."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2).strip()
    return values


def example_secrets() -> list[tuple[str, str]]:
    return [(k, v) for k, v in example_values().items() if k in SECRET_NAMES]


def tracker(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "PORT")}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
            "DATABASE_URL": "sqlite:///:memory:",
            **GOOD,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_secret_of_env_example_is_a_placeholder_or_empty():
    found = dict(example_secrets())
    assert {"SECRET_KEY", "API_SECRET", "AUDIBLE_API_SECRET", "CRON_SECRET"} <= set(found)
    for name, value in found.items():
        assert value == "" or is_placeholder(value), (name, value)


def _startup_errors(**values: str) -> list[str]:
    """The startup checks' messages for these settings (in-process, production mode)."""
    settings_values = {k: v for k, v in {**GOOD, **values}.items() if k in GOOD}
    env = {k: v for k, v in values.items() if k not in GOOD}
    with override_settings(DEBUG=False, **settings_values), _environ(env):
        return [m.msg for m in [*checks.run_checks(tags=[STARTUP_TAG]), *check_port()]]


class _environ:
    def __init__(self, values: dict[str, str]) -> None:
        self.values, self.saved = values, {}

    def __enter__(self) -> None:
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.parametrize("name", ["SECRET_KEY", "AUDIBLE_API_SECRET", "CRON_SECRET"])
def test_the_tracker_refuses_each_placeholder_of_env_example(name):
    values = {v for _, v in example_secrets() if v} | {example_values()[name]}
    for value in sorted(values - {""}):
        errors = _startup_errors(**{name: value})
        assert any(f"{name} is a placeholder" in e for e in errors), (name, value, errors)
        assert not any(value in e for e in errors), "the value itself is never echoed"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AUDIBLE_API_SECRET": ""}, "AUDIBLE_API_SECRET must be set"),
        ({"AUDIBLE_API_SECRET": "short-secret"}, "AUDIBLE_API_SECRET must be at least 16"),
        ({"SECRET_KEY": "tiny"}, "SECRET_KEY must be at least 16"),
        ({"CRON_SECRET": "0123456789"}, "CRON_SECRET must be at least 16"),
        ({"CRON_SECRET": GOOD["AUDIBLE_API_SECRET"]}, "CRON_SECRET equals AUDIBLE_API_SECRET"),
        ({"PORT": "8001", "TRACKER_PROBE_PORT": "8000"}, "PORT is 8001 but the healthcheck"),
    ],
)
def test_the_tracker_refuses_to_start_wrong(env, message):
    assert any(message in e for e in _startup_errors(**env))


def test_the_checks_run_before_commands_and_before_gunicorn_serves():
    """manage.py runs them as system checks; the WSGI module (what gunicorn loads) too."""
    env = {"AUDIBLE_API_SECRET": "change-me-to-a-long-random-string"}
    check = tracker("manage.py", "check", **env)
    assert check.returncode != 0
    assert "AUDIBLE_API_SECRET is a placeholder" in check.stderr
    probe = {"PORT": "8001", "TRACKER_PROBE_PORT": "8000"}
    wsgi = tracker("-c", "import tracker_api.config.wsgi", **probe)
    assert wsgi.returncode != 0
    assert "Refusing to start" in wsgi.stderr
    assert "PORT is 8001 but the healthcheck probes port 8000" in wsgi.stderr
    # A cron container may be handed any PORT: commands do not refuse it, `check --deploy` does.
    assert tracker("manage.py", "check", **probe).returncode == 0
    deploy = tracker("manage.py", "check", "--deploy", "--fail-level", "ERROR", **probe)
    assert deploy.returncode != 0
    assert "PORT is 8001" in deploy.stderr


def test_the_tracker_starts_with_good_values_and_empty_cron_secret():
    assert _startup_errors() == []
    assert _startup_errors(CRON_SECRET="") == []
    assert _startup_errors(PORT="8000", TRACKER_PROBE_PORT="8000") == []
    result = tracker("-c", "import tracker_api.config.wsgi; print('served')")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "served" in result.stdout


def test_debug_accepts_placeholders_for_development():
    with override_settings(DEBUG=True, AUDIBLE_API_SECRET="change-me"):
        assert checks.run_checks(tags=[STARTUP_TAG]) == []


def _gateway_env(**overrides: str) -> dict[str, str]:
    return {
        "API_SECRET": "startup-gateway-secret-0123456789",
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        **overrides,
    }


def test_the_gateway_refuses_each_placeholder_of_env_example():
    values = {v for _, v in example_secrets()}
    for value in sorted(values):
        with pytest.raises(ConfigError) as caught:
            load_config(_gateway_env(API_SECRET=value))
        assert value == "" or value not in str(caught.value)
        with pytest.raises(ConfigError):
            load_config(_gateway_env(ENCRYPTION_KEY=value))
    # The example file's own pair, as copied.
    example = example_values()
    with pytest.raises(ConfigError):
        load_config({k: example[k] for k in ("API_SECRET", "ENCRYPTION_KEY", "DEBUG")})


def test_the_gateway_refuses_a_placeholder_among_rotated_secrets():
    with pytest.raises(ConfigError, match="placeholder"):
        load_config(
            _gateway_env(API_SECRET="startup-gateway-secret-0123456789,change-me-to-something-long")
        )


def test_the_gateway_starts_with_good_values_and_debug_with_placeholders():
    assert load_config(_gateway_env()).api_secret.startswith("startup-gateway")
    assert load_config(_gateway_env(API_SECRET="change-me", DEBUG="true")).debug
