""".env.example and the code agree: every variable listed is read, every variable read is listed.

A variable that only the development demo or a one-off command reads is kept out of
.env.example on purpose; it must then be documented where people use it.
"""

from __future__ import annotations

import pytest

from tests.docs import codebase
from tests.docs.codebase import REPO

# Read by the code but not deployment settings: documented in the named doc instead.
DOCUMENTED_ELSEWHERE = {
    "DEMO_TRACKER_PORT": "docs/quickstart.md",
    "DEMO_GATEWAY_PORT": "docs/quickstart.md",
    "DEMO_SANDBOX_PORT": "docs/quickstart.md",
    "DJANGO_SUPERUSER_PASSWORD": "docs/deployment.md",
}


def test_every_variable_in_env_example_is_read_by_the_code():
    read = set(codebase.env_vars_read())
    # NAME_FILE is read wherever NAME is (the settings' env_str, deploy/entrypoint.sh).
    unread = {
        name
        for name in codebase.env_example_names() - read
        if not (name.endswith("_FILE") and name.removesuffix("_FILE") in read)
    }
    assert unread == set(), f".env.example lists variables nothing reads: {sorted(unread)}"


def test_every_variable_the_code_reads_is_in_env_example():
    read = codebase.env_vars_read()
    missing = {
        name: sorted(where)
        for name, where in read.items()
        if name not in codebase.env_example_names() and name not in DOCUMENTED_ELSEWHERE
    }
    assert missing == {}, f"read by the code but not in .env.example: {missing}"


@pytest.mark.parametrize(("name", "doc"), sorted(DOCUMENTED_ELSEWHERE.items()))
def test_variables_kept_out_of_env_example_are_documented_and_still_read(name, doc):
    assert name in codebase.env_vars_read(), f"{name} is no longer read: drop it from the list"
    assert name in (REPO / doc).read_text(encoding="utf-8")


def test_the_reader_finds_every_kind_of_read_in_the_real_code():
    read = codebase.env_vars_read()
    assert "tracker_api/config/settings.py" in read["SECRET_KEY"]  # env_str
    assert "audible_gateway/config.py" in read["ENCRYPTION_KEY"]  # env.get
    # a helper that reads the variable its parameter names (env_float passes it to env_str)
    assert "tracker_api/config/settings.py" in read["AUDIBLE_GATEWAY_READ_TIMEOUT_S"]
    assert "deploy/gunicorn/tracker.py" in read["TRACKER_WORKERS"]  # os.environ.get
    assert "docker-compose.yml" in read["POSTGRES_PASSWORD"]  # ${NAME}
    assert "deploy/db_wait.py" in read["DB_WAIT_SECONDS"]  # the entrypoint's database wait


def test_the_reader_tells_reads_from_writes(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "import os\n"
        "from tracker_api.config.env import env_int\n"
        "A = os.environ.get('ALPHA_ONE')\n"
        "B = os.environ['BRAVO_TWO']\n"
        "C = env_int('CHARLIE_THREE', 1)\n"
        "def reader(name):\n"
        "    return os.environ.get(name, '')\n"
        "D = reader('DELTA_FOUR')\n"
        "os.environ.setdefault('ECHO_FIVE', 'x')\n"
        "os.environ['FOXTROT_SIX'] = 'y'\n"
    )
    found = set(codebase.env_vars_read_by_python([source]))
    assert {"ALPHA_ONE", "BRAVO_TWO", "CHARLIE_THREE", "DELTA_FOUR"} <= found
    assert "ECHO_FIVE" not in found
