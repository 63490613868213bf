"""Every command in README.md and docs/*.md names real things, so the docs cannot rot.

Each fenced shell command is checked by ``tests.docs.commands.problems``; the checks
themselves are tested first on commands that are known to be right and known to be wrong,
so a check that silently accepts everything fails here.
"""

from __future__ import annotations

import pytest

from tests.docs.commands import check_text
from tests.docs.commands import make_targets
from tests.docs.commands import problems
from tests.docs.markdown import all_commands

COMMANDS = all_commands()


def test_the_docs_have_commands_of_every_kind_checked():
    programs = {c.program for c in COMMANDS}
    assert {"make", "python", "manage.py", "pytest", "curl", "gunicorn"} <= programs
    assert ("make", "run") in {c.argv for c in COMMANDS if c.where.startswith("README.md")}
    assert ("make", "test") in {c.argv for c in COMMANDS if c.where.startswith("README.md")}


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{c.where} {c.program}" for c in COMMANDS])
def test_documented_command_names_real_things(command):
    assert problems(command) == [], command.source


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("make run", False),
        ("make test-sqlite", False),
        ("TEST_DATABASE_URL=postgres://u@db:5432/t make test", False),
        ("python manage.py audible_sync --user alice --force --dry-run", False),
        (".venv/bin/python manage.py audible_sync --all [--limit 100]", False),
        ("python manage.py audible_match --user alice --library lib.json", False),
        ("python manage.py migrate --noinput", False),
        ("python -m audible_gateway.sandbox --port 8765", False),
        (".venv/bin/pytest tests/docs -q", False),
        ("gunicorn -c deploy/gunicorn/tracker.py tracker_api.config.wsgi", False),
        ('curl -X POST -H "$AUTH" $TRACKER/api/audible/sync', False),
        ("curl -s $GW/health", False),
        ("curl -s localhost:8765/__sandbox/state", False),
        ("docker compose --profile sandbox up -d", True),
        ("docker compose exec tracker python manage.py create_user alice", True),
        ("railway ssh --service tracker", True),
    ],
)
def test_the_checks_accept_sound_commands(text, remote):
    assert check_text(text, remote) == []


@pytest.mark.parametrize(
    ("text", "remote", "complaint"),
    [
        ("make deploy-everything", False, "not in the Makefile"),
        ("python manage.py audible_synk --user alice", False, "no such management command"),
        ("python manage.py audible_sync --user alice --from-fil x", False, "do not parse"),
        ("python manage.py audible_sync --force", False, "do not parse"),
        ("python -m audible_gateway.sandboxx", False, "no such module"),
        ("python bench/nothing_here.py", False, "does not exist"),
        (".venv/bin/pytest tests/docs/test_nothing.py", False, "does not exist"),
        (".venv/bin/pytest tests/docs/test_commands.py::test_nope", False, "has no test"),
        ("gunicorn -c deploy/gunicorn/nope.py tracker_api.config.wsgi", False, "does not exist"),
        ('curl -H "$AUTH" $TRACKER/api/audible/nothing', False, "no process"),
        ('curl -H "$AUTH" $TRACKER/api/audible/sync', False, "accepts only"),
        ("curl -s -X DELETE $GW/api/library", False, "accepts only"),
        ("docker compose up -d", False, "sh remote"),
        ("docker compose logs -f nginx", True, "no service"),
        ("docker compose --profile demo up", True, "no profile"),
        ("docker compose exec tracker python manage.py frobnicate", True, "no such management"),
        ("railway ssh --service worker", True, "deploy/railway/worker.json"),
        ("frobnicate --all", False, "not a program"),
    ],
)
def test_the_checks_refuse_broken_commands(text, remote, complaint):
    found = check_text(text, remote)
    assert any(complaint in problem for problem in found), found


def test_make_targets_are_read_from_the_makefile():
    assert {"run", "test", "test-sqlite", "secrets", "migrate", "sandbox"} <= make_targets()
