"""Starting the gateway as it is deployed (gunicorn) on loopback, for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_env(**values: str) -> dict[str, str]:
    """The current environment without any gateway setting, plus ``values``."""
    drop = ("API_SECRET", "ENCRYPTION_KEY", "DEBUG", "AUDIBLE_SANDBOX_URL", "GUNICORN_CMD_ARGS")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("GATEWAY_")}
    env.update(values)
    return env


def start_gunicorn(
    port: int, env: dict[str, str], output: IO[str] | int, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(GUNICORN), "audible_gateway:create_app()", "--bind", f"127.0.0.1:{port}", *extra],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_healthy(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not become healthy")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
