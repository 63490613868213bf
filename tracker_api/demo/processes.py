"""Start the system's processes on loopback, wait until each answers, stop them all cleanly.

Used by ``make run`` (the demo) and by the end-to-end tests, so both exercise the very
commands a deployment runs: ``python -m audible_gateway.sandbox``, gunicorn for the gateway,
gunicorn for the tracker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Mapping
from contextlib import AbstractContextManager
from contextlib import closing
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_LIBRARY = REPO_ROOT / "audible_gateway" / "sandbox" / "data" / "sample_library.json"


def free_port(preferred: int | None = None) -> int:
    """``preferred`` when nothing listens there, else any free loopback port."""
    if preferred is not None:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Service:
    """One child process and the URL that says it is up."""

    name: str
    argv: list[str]
    port: int
    health_path: str
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, base_env: Mapping[str, str]) -> None:
        env = {**base_env, **self.env}
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - argv is built by us, never from input
            self.argv,
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with status {self.process.returncode}")
            try:
                if requests.get(self.url + self.health_path, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the whole process group (gunicorn and its workers), SIGKILL if it lingers."""
        if self.process is not None:
            stop_process_group(self.process, timeout)

    def kill(self) -> None:
        """SIGKILL at once, as a crash would (used by crash-safety tests)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM the process group ``process`` leads, SIGKILL if it lingers; then reap it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=timeout)


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def gunicorn_argv(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "gunicorn"), *args]


def sandbox_service(port: int, library: Path = SAMPLE_LIBRARY, **kwargs: object) -> Service:
    return Service(
        "sandbox",
        python_argv(
            "-m", "audible_gateway.sandbox", "--library", str(library), "--port", str(port)
        ),
        port,
        "/__sandbox/state",
        **kwargs,  # type: ignore[arg-type]
    )


def gateway_service(port: int, env: Mapping[str, str], **kwargs: object) -> Service:
    return Service(
        "gateway",
        gunicorn_argv(
            "-c",
            "deploy/gunicorn/gateway.py",
            "--bind",
            f"127.0.0.1:{port}",
            "audible_gateway:create_app()",
        ),
        port,
        "/health",
        env={"PORT": str(port), **env},
        **kwargs,  # type: ignore[arg-type]
    )


def tracker_service(port: int, env: Mapping[str, str], **kwargs: object) -> Service:
    return Service(
        "tracker",
        gunicorn_argv(
            "-c",
            "deploy/gunicorn/tracker.py",
            "--bind",
            f"127.0.0.1:{port}",
            "tracker_api.config.wsgi",
        ),
        port,
        "/health",
        env={"PORT": str(port), **env},
        **kwargs,  # type: ignore[arg-type]
    )


class ServiceGroup:
    """Starts services in order and guarantees that every one is stopped on the way out."""

    def __init__(
        self,
        base_env: Mapping[str, str] | None = None,
        guard: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self.base_env = dict(base_env if base_env is not None else os.environ)
        self.services: list[Service] = []
        # The demo passes its Ctrl-C guard: a process is never started without being recorded.
        self.guard = guard

    def start(self, service: Service, timeout: float = 60.0) -> Service:
        with self.guard():
            self.services.append(service)
            service.start(self.base_env)
        service.wait_until_up(timeout)
        return service

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> ServiceGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()
