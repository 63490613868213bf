"""The whole system as separate processes: sandbox, gateway (gunicorn), tracker (gunicorn).

The tracker process uses the pytest-django test database, so tests that talk to it use
``transactional_db`` (committed data the process can see). Needs PostgreSQL: on SQLite the
test database lives in memory and no other process can open it, so these tests skip.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings

from audible_gateway.sandbox.testing import connect_through_gateway
from tracker_api.demo.processes import REPO_ROOT
from tracker_api.demo.processes import SAMPLE_LIBRARY
from tracker_api.demo.processes import Service
from tracker_api.demo.processes import ServiceGroup
from tracker_api.demo.processes import free_port
from tracker_api.demo.processes import gateway_service
from tracker_api.demo.processes import sandbox_service
from tracker_api.demo.processes import tracker_service

GATEWAY_SECRET = "e2e-gateway-secret-" + secrets.token_hex(8)
CRON_SECRET = "e2e-cron-secret-" + secrets.token_hex(8)
STALE_S = 3
FAST_TRACKER = {
    "AUDIBLE_GATEWAY_RETRY_ATTEMPTS": "3",
    "AUDIBLE_GATEWAY_RETRY_BASE_S": "0.2",
    "AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S": "1",
    "AUDIBLE_GATEWAY_RETRY_BUDGET_S": "6",
    "AUDIBLE_GATEWAY_READ_TIMEOUT_S": "8",
    "AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S": "1",
    "AUDIBLE_SYNC_LOCK_STALE_S": str(STALE_S),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "tests/e2e/" in str(item.fspath) and not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        pytest.skip("end-to-end tests need PostgreSQL: run with DATABASE_URL=postgres://...")


class System:
    """The running processes and helpers to drive them."""

    def __init__(
        self, group: ServiceGroup, sandbox: Service, gateway: Service, db_url: str, log_dir: Path
    ) -> None:
        self.group = group
        self.sandbox = sandbox
        self.gateway = gateway
        self.db_url = db_url
        self.tracker: Service | None = None
        self.log_dir = log_dir

    # ---------------------------------------------------------------- tracker process
    def tracker_env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.db_url,
            "CONN_MAX_AGE": "0",
            "SECRET_KEY": "e2e-" + secrets.token_hex(16),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AUDIBLE_SERVICE_URL": self.gateway.url,
            "AUDIBLE_API_SECRET": GATEWAY_SECRET,
            "CRON_SECRET": CRON_SECRET,
            "TRACKER_WORKERS": "2",
            "TRACKER_THREADS": "8",
            "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
            **FAST_TRACKER,
        }

    def start_tracker(self) -> Service:
        self.tracker = tracker_service(free_port(), self.tracker_env())
        self.tracker.log_path = self.log_dir / "e2e-tracker.log"
        self.tracker.start(self.group.base_env)
        self.tracker.wait_until_up(60)
        return self.tracker

    def manage(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """Start ``manage.py <args>`` against the same database (returns the process)."""
        env = {**os.environ, **self.tracker_env(), **(env or {})}
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # ---------------------------------------------------------------- sandbox control
    def sandbox_call(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, self.sandbox.url + path, json=body, timeout=10)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def reset_sandbox(self) -> None:
        self.sandbox_call("DELETE", "/__sandbox/faults")
        library = __import__("json").loads(SAMPLE_LIBRARY.read_text())
        self.sandbox_call("PUT", "/__sandbox/library", library)

    def fault(self, **spec: Any) -> None:
        self.sandbox_call("POST", "/__sandbox/faults", spec)

    def listen(self, asin: str, **progress: Any) -> None:
        self.sandbox_call("PATCH", f"/__sandbox/library/{asin}", progress)

    # ---------------------------------------------------------------- gateway
    def connect(self) -> str:
        return connect_through_gateway(self.gateway.url, GATEWAY_SECRET)

    def restart_gateway(self) -> None:
        self.gateway.stop()
        self.gateway.start(self.group.base_env)
        self.gateway.wait_until_up(60)


def _db_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def system(django_db_setup, tmp_path_factory):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("end-to-end tests need PostgreSQL")
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    group = ServiceGroup()
    try:
        sandbox = group.start(sandbox_service(free_port(), log_path=log_dir / "e2e-sandbox.log"))
        gateway = group.start(
            gateway_service(
                free_port(),
                {
                    "API_SECRET": GATEWAY_SECRET,
                    "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                    "AUDIBLE_SANDBOX_URL": sandbox.url,
                    "GATEWAY_PAGE_SIZE": "10",
                    "GATEWAY_RETRY_ATTEMPTS": "2",
                    "GATEWAY_RETRY_BASE_S": "0.05",
                    "GATEWAY_RETRY_MAX_WAIT_S": "0.2",
                    "GATEWAY_RETRY_BUDGET_S": "3",
                    "GATEWAY_UPSTREAM_TIMEOUT_S": "2",
                },
                log_path=log_dir / "e2e-gateway.log",
            )
        )
        live = System(group, sandbox, gateway, _db_url(), log_dir)
        live.start_tracker()
        yield live
    finally:
        group.stop_all()
        if "live" in locals() and live.tracker is not None:
            live.tracker.stop()


@pytest.fixture(scope="session")
def blob(system) -> str:
    return system.connect()


@pytest.fixture
def e2e(system, transactional_db):
    system.reset_sandbox()
    yield system
    system.reset_sandbox()
