"""Sandbox + gateway (gunicorn) + tracker (gunicorn, ``manage.py``) as real processes on one
database (PostgreSQL, or the embedded SQLite file with ``db_url=""``), for the load, crash,
key-rotation and HTTP fuzz checks (tests and bench scripts).

Unlike ``tests/e2e``'s session-wide system, each user of this module gets processes of its
own, so a gateway restarted with other keys or a generated library never leaks into others.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from audible_gateway.sandbox.testing import connect_through_gateway
from tracker_api.demo.processes import REPO_ROOT
from tracker_api.demo.processes import Service
from tracker_api.demo.processes import ServiceGroup
from tracker_api.demo.processes import free_port
from tracker_api.demo.processes import gateway_service
from tracker_api.demo.processes import sandbox_service
from tracker_api.demo.processes import tracker_service

GATEWAY_SECRET = "hardening-gateway-secret-" + secrets.token_hex(8)
CRON_SECRET = "hardening-cron-secret-" + secrets.token_hex(8)


@dataclass
class Live:
    """The running processes and helpers to drive them."""

    db_url: str
    log_dir: Path
    library_path: Path
    key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    stale_s: int = 3
    gateway_workers: int = 2
    # One SECRET_KEY for the tracker and every manage.py beside it (a fuzz run checks no
    # answer shows it); ``tracker_extra`` joins their environment (e.g. TRACKER_VAR_DIR).
    secret_key: str = field(default_factory=lambda: "hardening-" + secrets.token_hex(16))
    tracker_extra: dict[str, str] = field(default_factory=dict)
    group: ServiceGroup = field(default_factory=ServiceGroup)
    sandbox: Service | None = None
    gateway: Service | None = None
    tracker: Service | None = None

    # ---------------------------------------------------------------- lifecycle
    def start(self, *, tracker: bool = False) -> Live:
        self.sandbox = self.group.start(
            sandbox_service(
                free_port(), library=self.library_path, log_path=self.log_dir / "sandbox.log"
            )
        )
        self.gateway = self.group.start(
            gateway_service(free_port(), self.gateway_env(), log_path=self.log_dir / "gw.log")
        )
        if tracker:
            self.start_tracker()
        return self

    def stop(self) -> None:
        if self.tracker is not None:
            self.tracker.stop()
        self.group.stop_all()

    def gateway_env(self) -> dict[str, str]:
        assert self.sandbox is not None
        return {
            "API_SECRET": GATEWAY_SECRET,
            "ENCRYPTION_KEY": self.key,
            "AUDIBLE_SANDBOX_URL": self.sandbox.url,
            "GATEWAY_WORKERS": str(self.gateway_workers),
            "GATEWAY_RETRY_ATTEMPTS": "2",
            "GATEWAY_RETRY_BASE_S": "0.05",
            "GATEWAY_RETRY_MAX_WAIT_S": "0.2",
            "GATEWAY_RETRY_BUDGET_S": "3",
        }

    def restart_gateway(self, key: str) -> None:
        """Stop the gateway and start it again with ``ENCRYPTION_KEY=key``."""
        assert self.gateway is not None
        self.gateway.stop()
        self.gateway.env["ENCRYPTION_KEY"] = key
        self.gateway.start(self.group.base_env)
        self.gateway.wait_until_up(60)

    def tracker_env(self, **extra: str) -> dict[str, str]:
        assert self.gateway is not None
        return {
            "DATABASE_URL": self.db_url,
            "CONN_MAX_AGE": "0",
            "SECRET_KEY": self.secret_key,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AUDIBLE_SERVICE_URL": self.gateway.url,
            "AUDIBLE_API_SECRET": GATEWAY_SECRET,
            "CRON_SECRET": CRON_SECRET,
            "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
            "AUDIBLE_GATEWAY_RETRY_ATTEMPTS": "3",
            "AUDIBLE_GATEWAY_RETRY_BASE_S": "0.2",
            "AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S": "1",
            "AUDIBLE_GATEWAY_READ_TIMEOUT_S": "300",
            "AUDIBLE_SYNC_LOCK_STALE_S": str(self.stale_s),
            **self.tracker_extra,
            **extra,
        }

    def start_tracker(self, workers: int = 2, threads: int = 8) -> Service:
        self.tracker = tracker_service(
            free_port(),
            self.tracker_env(TRACKER_WORKERS=str(workers), TRACKER_THREADS=str(threads)),
            log_path=self.log_dir / "tracker.log",
        )
        self.tracker.start(self.group.base_env)
        self.tracker.wait_until_up(60)
        return self.tracker

    def manage(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start ``manage.py <args>`` against the same database and gateway."""
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env={**os.environ, **self.tracker_env(), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # ---------------------------------------------------------------- sandbox and gateway
    def set_library(self, items: list[dict[str, Any]]) -> None:
        assert self.sandbox is not None
        requests.put(
            self.sandbox.url + "/__sandbox/library", json=items, timeout=120
        ).raise_for_status()

    def connect(self) -> str:
        """The external login as a person does it; the sealed blob."""
        assert self.gateway is not None
        return connect_through_gateway(self.gateway.url, GATEWAY_SECRET)


def write_library(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(items))
    return path


def django_db_url() -> str:
    """The URL of the database Django is using now (pytest's test database, or the bench's)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"
