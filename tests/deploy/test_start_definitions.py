"""Railway and systemd run the same start-up steps as the images: every command goes through
deploy/entrypoint.sh (*_FILE secrets, the database wait), the tracker migrates before it
serves, and each process reads only its own environment."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RAILWAY = ROOT / "deploy" / "railway"
SYSTEMD = ROOT / "deploy" / "systemd"


def _dockerfile_entrypoint(name: str) -> str:
    text = (ROOT / "deploy" / f"{name}.Dockerfile").read_text()
    return json.loads(re.search(r"^ENTRYPOINT (.+)$", text, re.M).group(1))[0]


@pytest.mark.parametrize(
    ("service", "dockerfile"),
    [("gateway", "gateway"), ("tracker", "tracker"), ("cron", "tracker"), ("cleanup", "tracker")],
)
def test_railway_commands_go_through_the_images_entrypoint(service, dockerfile):
    """A Railway start command replaces the image's ENTRYPOINT, so each names it itself."""
    config = json.loads((RAILWAY / f"{service}.json").read_text())
    assert config["build"]["dockerfilePath"] == f"deploy/{dockerfile}.Dockerfile"
    entrypoint = _dockerfile_entrypoint(dockerfile)
    commands = [config["deploy"]["startCommand"], *config["deploy"].get("preDeployCommand", [])]
    for command in commands:
        assert command.startswith(entrypoint + " "), command


def test_railway_tracker_migrates_before_each_release():
    deploy = json.loads((RAILWAY / "tracker.json").read_text())["deploy"]
    assert deploy["preDeployCommand"] == [
        "/app/deploy/entrypoint.sh python manage.py migrate --noinput"
    ]
    assert deploy["healthcheckPath"] == "/health"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keep ExecStartPre's case
    parser.read(SYSTEMD / name)
    return parser


@pytest.mark.parametrize(
    "name",
    [
        "audible-tracker.service",
        "audible-gateway.service",
        "audible-sync.service",
        "audible-cleanup.service",
    ],
)
def test_systemd_units_start_through_the_entrypoint_with_their_own_environment(name):
    service = _unit(name)["Service"]
    checkout = service["WorkingDirectory"]
    for key in ("ExecStartPre", "ExecStart"):
        if key in service:
            assert service[key].startswith(f"{checkout}/deploy/entrypoint.sh "), service[key]
    own = "gateway.env" if "gateway" in name else "tracker.env"
    assert service["EnvironmentFile"] == f"/etc/audible-sync/{own}"
    assert f"PATH={checkout}/.venv/bin:" in service["Environment"], "python is the venv's"


def test_systemd_tracker_migrates_before_it_serves_and_the_gateway_needs_no_database():
    tracker = _unit("audible-tracker.service")
    assert tracker["Service"]["ExecStartPre"].endswith("python manage.py migrate --noinput")
    assert "PORT=8000" in tracker["Service"]["Environment"]
    gateway = _unit("audible-gateway.service")
    assert "postgresql" not in gateway["Unit"].get("After", "")
    assert "PORT=8001" in gateway["Service"]["Environment"]
    assert gateway["Service"]["ExecStart"].endswith("audible_gateway:create_app()")
