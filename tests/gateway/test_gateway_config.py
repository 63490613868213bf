"""The gateway refuses to start without its secret and keys, except in development mode."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from audible_gateway import create_app
from audible_gateway.config import ConfigError
from audible_gateway.config import load_config

from .conftest import KEY
from .conftest import SECRET


def test_it_refuses_to_start_without_secret_and_key():
    with pytest.raises(ConfigError, match="API_SECRET and ENCRYPTION_KEY"):
        load_config({})


def test_it_refuses_a_sandbox_url_alone():
    with pytest.raises(ConfigError, match="API_SECRET"):
        load_config({"AUDIBLE_SANDBOX_URL": "http://127.0.0.1:9", "ENCRYPTION_KEY": KEY})


def test_it_refuses_a_short_secret():
    with pytest.raises(ConfigError, match="at least 16"):
        load_config({"API_SECRET": "short", "ENCRYPTION_KEY": KEY})


def test_it_refuses_a_malformed_key_without_echoing_it():
    with pytest.raises(ConfigError) as info:
        load_config({"API_SECRET": SECRET, "ENCRYPTION_KEY": f"{KEY},not-a-key-at-all"})
    assert "entry #2" in str(info.value)
    assert "not-a-key-at-all" not in str(info.value)


def test_it_refuses_a_vague_debug_flag():
    with pytest.raises(ConfigError, match="DEBUG"):
        load_config({"API_SECRET": SECRET, "ENCRYPTION_KEY": KEY, "DEBUG": "maybe"})


def test_development_mode_generates_throwaway_values_loudly(caplog):
    with caplog.at_level(logging.WARNING, logger="audible_gateway.config"):
        config = load_config({"DEBUG": "true", "AUDIBLE_SANDBOX_URL": "http://127.0.0.1:9/"})
    assert config.throwaway_secrets
    assert len(config.api_secret) >= 32
    Fernet(config.encryption_keys[0])  # a usable key
    assert "THROWAWAY" in caplog.text
    assert config.api_secret not in caplog.text
    assert config.sandbox_url == "http://127.0.0.1:9"


def test_key_list_is_newest_first_and_accepts_hex():
    hex_key = "ab" * 32
    config = load_config({"API_SECRET": SECRET, "ENCRYPTION_KEY": f" {hex_key} , {KEY}"})
    assert len(config.encryption_keys) == 2
    assert config.encryption_keys[1] == KEY.encode()


def test_tuning_values_are_validated():
    with pytest.raises(ConfigError, match="GATEWAY_RETRY_ATTEMPTS"):
        load_config({"API_SECRET": SECRET, "ENCRYPTION_KEY": KEY, "GATEWAY_RETRY_ATTEMPTS": "x"})


def test_factory_reads_the_test_config_instead_of_the_environment(monkeypatch):
    monkeypatch.setenv("API_SECRET", "from-the-environment-000000")
    app = create_app({"TESTING": True, "API_SECRET": SECRET, "ENCRYPTION_KEY": KEY})
    assert app.testing
    assert app.extensions["audible_gateway"].config.api_secret == SECRET


def test_factory_reads_the_environment(monkeypatch):
    monkeypatch.setenv("API_SECRET", SECRET)
    monkeypatch.setenv("ENCRYPTION_KEY", KEY)
    monkeypatch.delenv("DEBUG", raising=False)
    assert not create_app().testing
    monkeypatch.delenv("ENCRYPTION_KEY")
    with pytest.raises(ConfigError):
        create_app()


def test_an_older_shared_secret_stays_accepted_during_a_rotation():
    new, old = "new-shared-secret-0123456789", "old-shared-secret-0123456789"
    app = create_app({"TESTING": True, "API_SECRET": f"{new},{old}", "ENCRYPTION_KEY": KEY})
    client = app.test_client()
    for secret in (new, old):
        answer = client.post("/api/refresh-token", json={}, headers={"X-API-Secret": secret})
        assert answer.status_code != 401, secret
    refused = client.post("/api/refresh-token", json={}, headers={"X-API-Secret": "x" * 27})
    assert refused.status_code == 401
    assert app.extensions["audible_gateway"].config.api_secret == new


def test_every_rotated_secret_must_be_long_enough():
    with pytest.raises(ConfigError, match="at least 16"):
        load_config({"API_SECRET": f"{SECRET},short", "ENCRYPTION_KEY": KEY})
