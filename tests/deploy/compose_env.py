"""The compose stack's .env made the documented way, and compose's resolved configuration.

docs/deployment.md: ``cp .env.example .env``, ``make secrets``, put the printed values into
``.env`` replacing the placeholders, and for plain HTTP on 127.0.0.1 the four hardening
switches and the two host lists. ``documented_env`` does exactly that in a folder holding a
copy of docker-compose.yml.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1:8000",
}


def fill_env(text: str, values: dict[str, str]) -> str:
    """``text`` (an .env) with each NAME= line of ``values`` replaced by NAME=value."""
    for name, value in values.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.M)
        if count == 0:
            text += f"{name}={value}\n"
    return text


def documented_env(folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Write docker-compose.yml and a documented .env into ``folder``; return the secrets."""
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    printed = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "generate_secrets.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    secrets = dict(line.split("=", 1) for line in printed.splitlines())
    text = (ROOT / ".env.example").read_text()
    (folder / ".env").write_text(fill_env(text, {**secrets, **PLAIN_HTTP, **(extra or {})}))
    return secrets


def compose_binary() -> str:
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is not installed (.ci/run installs Debian's docker-compose)"
    return compose


def compose_config(folder: Path, *args: str) -> dict[str, Any]:
    """``docker-compose config`` of ``folder``, parsed (variables filled in from .env)."""
    result = subprocess.run(
        [compose_binary(), *args, "config"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def example_sections() -> dict[str, list[str]]:
    """Variable names of each ``# ---- <section>`` of .env.example, commented ones included."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in (ROOT / ".env.example").read_text().splitlines():
        heading = re.match(r"^# -{10,} (.+)$", line)
        if heading:
            current = heading.group(1).strip()
            sections[current] = []
            continue
        name = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if name and current:
            sections[current].append(name.group(1))
    return sections


def as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
