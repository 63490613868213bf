"""Every error code either process can answer with is explained in docs/troubleshooting.md,
and every code the troubleshooting tables explain still exists in the code."""

from __future__ import annotations

import re

import pytest

from tests.docs import codebase
from tests.docs.codebase import REPO

TROUBLESHOOTING = REPO / "docs" / "troubleshooting.md"
ALL_CODES = sorted(codebase.gateway_error_codes() | codebase.tracker_error_codes())
TABLE_CODE_RE = re.compile(r"^\|\s*`([a-z][a-z0-9_<>]*)`", re.MULTILINE)


def documented_codes() -> set[str]:
    return set(TABLE_CODE_RE.findall(TROUBLESHOOTING.read_text(encoding="utf-8")))


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_error_code_is_explained_in_troubleshooting(code):
    assert code in documented_codes(), f"docs/troubleshooting.md has no table row for `{code}`"


def test_every_code_the_troubleshooting_tables_explain_exists():
    stale = documented_codes() - set(ALL_CODES)
    assert stale == set(), f"explained in docs/troubleshooting.md but not in the code: {stale}"


def test_the_collector_finds_codes_of_every_origin():
    gateway = codebase.gateway_error_codes()
    tracker = codebase.tracker_error_codes()
    assert {"invalid_secret", "captcha_required", "payload_too_large"} <= gateway
    assert "audible_library_too_large" in gateway  # an entry of the library's errors list
    assert {"gateway_unreachable", "gateway_misconfigured", "conflict_already_resolved"} <= tracker
    assert {"sync_rate_limited", "sync_apply_failed", "library_file_missing"} <= tracker
    assert {"throttled", "not_authenticated", "database_unavailable"} <= tracker
    assert {"payload_too_large", "parse_error", "bad_request"} <= tracker
    assert "gateway_http_<status>" in tracker  # built from the status when the body has none


def test_the_collector_reads_each_way_a_code_is_written(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "MISSING = 'alpha_missing'\n"
        "class Refused(Exception):\n"
        "    code = 'bravo_refused'\n"
        "def _prompt(code, what):\n"
        "    return GatewayError(code, what, 409)\n"
        "def go(exc):\n"
        "    raise _prompt('charlie_required', 'x')\n"
        "def other():\n"
        "    raise ApiError(MISSING, 'gone')\n"
        "def body():\n"
        "    return {'code': 'delta_entry', 'message': 'm'}\n"
        "def outcome(row):\n"
        "    return Outcome(row, error_code='echo_failed')\n"
        "def fallback(c):\n"
        "    return ApiError(c or 'foxtrot_default', 'm')\n"
        "def _forward(*args, **kwargs):\n"
        "    return ApiError(*args, **kwargs)\n"
        "def limit():\n"
        "    raise _forward('golf_too_large', 'm', status_code=413)\n"
        "NOT_A_CODE = 'Hello world'\n"
    )
    found = set(codebase.error_codes_in([source]))
    assert found == {
        "alpha_missing",
        "bravo_refused",
        "charlie_required",
        "delta_entry",
        "echo_failed",
        "foxtrot_default",
        "golf_too_large",
    }
