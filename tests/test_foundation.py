"""The repository's own plumbing: settings readers fail loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker_api.config.env import env_bool
from tracker_api.config.env import env_int
from tracker_api.config.env import env_list


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("ON", True), ("false", False), ("0", False), ("", False)],
)
def test_env_bool_reads_clear_words(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_refuses_a_vague_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_enforces_its_floor(monkeypatch):
    monkeypatch.setenv("X_MIN", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_MIN", 10, minimum=5)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("X_MIN", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_MIN", 10)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_LIST", "a, b,,c ")
    assert env_list("X_LIST") == ["a", "b", "c"]


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    from tracker_api.config.env import env_str

    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "from-file"
