"""docker-compose.yml gives each service only its own variables, and the tracker's PORT,
published port and healthcheck agree (checked on compose's resolved configuration)."""

from __future__ import annotations

import re

from tests.deploy.compose_env import ROOT
from tests.deploy.compose_env import compose_config
from tests.deploy.compose_env import documented_env
from tests.deploy.compose_env import example_sections

GATEWAY_ONLY = {"API_SECRET", "ENCRYPTION_KEY", "AUDIBLE_SANDBOX_URL", "AUDIBLE_SANDBOX_PUBLIC_URL"}
TRACKER_ONLY = {"SECRET_KEY", "AUDIBLE_API_SECRET", "CRON_SECRET", "DATABASE_URL"}
# Tracker-section names compose does not pass on: the image sets them (PORT's twin
# TRACKER_PROBE_PORT, TRACKER_VAR_DIR, HOST) or there is no file to read in a container.
NOT_PASSED = {"HOST", "TRACKER_VAR_DIR", "TRACKER_PROBE_PORT", "DATABASE_URL_FILE"}
TRACKER_SERVICES = ("tracker", "migrate", "cron")


def _config(tmp_path):
    secrets = documented_env(tmp_path)
    return secrets, compose_config(tmp_path, "--profile", "sandbox")["services"]


def test_the_sections_of_env_example_are_the_services_environments(tmp_path):
    _, services = _config(tmp_path)
    sections = example_sections()
    gateway = set(sections["the Audible gateway"])
    tracker = set(sections["the tracker"]) - NOT_PASSED
    assert set(services["gateway"]["environment"]) == gateway
    for name in TRACKER_SERVICES:
        environment = set(services[name]["environment"])
        assert tracker <= environment, (name, sorted(tracker - environment))
        assert environment - tracker <= {"DEBUG", "CRON_INTERVAL_SECONDS"}, name


def test_no_key_reaches_the_tracker_and_no_tracker_secret_the_gateway(tmp_path):
    secrets, services = _config(tmp_path)
    for name in TRACKER_SERVICES:
        environment = services[name]["environment"]
        assert GATEWAY_ONLY.isdisjoint(environment), name
        assert secrets["ENCRYPTION_KEY"] not in environment.values()
    gateway = services["gateway"]["environment"]
    assert TRACKER_ONLY.isdisjoint(gateway)
    assert secrets["SECRET_KEY"] not in gateway.values()
    assert secrets["POSTGRES_PASSWORD"] not in str(gateway)
    assert "env_file" not in str(services), "one shared env_file is what leaked the key"


def test_the_gateway_waits_for_no_database(tmp_path):
    _, services = _config(tmp_path)
    assert "depends_on" not in services["gateway"]
    assert "DATABASE_URL" not in services["gateway"]["environment"]


def test_the_tracker_binds_the_port_it_publishes_and_probes(tmp_path):
    _, services = _config(tmp_path)
    tracker = services["tracker"]
    assert "PORT" not in tracker["environment"], "the image's PORT=8000 stays"
    # v1 prints "127.0.0.1:8000:8000/tcp", current Compose a mapping with target/published.
    ports = [
        (str(p["published"]), str(p["target"]))
        if isinstance(p, dict)
        else tuple(str(p).split("/")[0].split(":")[-2:])
        for p in tracker["ports"]
    ]
    assert ports == [("8000", "8000")], ports
    dockerfile = (ROOT / "deploy" / "tracker.Dockerfile").read_text()
    assert re.search(r"\bPORT=8000\b", dockerfile)
    assert re.search(r"\bTRACKER_PROBE_PORT=8000\b", dockerfile)
    assert "TRACKER_PROBE_PORT','8000'" in dockerfile, "the HEALTHCHECK probes that port"


def test_the_sandbox_login_url_is_reachable_from_the_host(tmp_path):
    _, services = _config(tmp_path)
    ports = [str(p) for p in services["sandbox"]["ports"]]
    assert any("127.0.0.1" in p and "8765" in p for p in ports) or any(
        isinstance(p, dict) and p.get("host_ip") == "127.0.0.1"
        for p in services["sandbox"]["ports"]
    ), ports
    docs = (ROOT / "docs" / "deployment.md").read_text()
    assert "AUDIBLE_SANDBOX_PUBLIC_URL=http://127.0.0.1:8765" in docs


def test_base_images_are_build_arguments_with_the_public_defaults(tmp_path):
    _, services = _config(tmp_path)
    for name in ("tracker", "gateway", "sandbox"):
        assert services[name]["build"]["args"]["PYTHON_IMAGE"] == "python:3.11-slim"
    assert services["db"]["image"] == "postgres:16"
    for dockerfile in ("tracker", "gateway", "sandbox"):
        text = (ROOT / "deploy" / f"{dockerfile}.Dockerfile").read_text()
        assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
