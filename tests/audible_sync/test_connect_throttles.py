"""``POST /api/audible/auth`` is throttled per person and for the whole installation."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from tests.audible_sync.conftest import active_devices
from tests.support.factories import UserFactory
from tests.support.people import token_client

pytestmark = pytest.mark.django_db
START = {"method": "external", "locale": "us"}


@pytest.fixture(autouse=True)
def fresh_counts():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def test_a_person_is_throttled_and_others_are_not(wired, sandbox, settings):
    settings.AUDIBLE_AUTH_RATE_PERSON = "3/hour"
    settings.AUDIBLE_AUTH_RATE_TOTAL = "100/hour"
    mallory, alice = (
        token_client(UserFactory(username="mallory")),
        token_client(UserFactory(username="alice")),
    )
    for _ in range(3):
        assert mallory.post("/api/audible/auth", START, format="json").status_code == 200
    refused = mallory.post("/api/audible/auth", {**START, "method": "password"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < refused.json()["error"]["retry_after"] <= 3600
    assert int(refused["Retry-After"]) > 0
    assert alice.post("/api/audible/auth", START, format="json").status_code == 200


def test_the_whole_installation_is_throttled(wired, settings):
    settings.AUDIBLE_AUTH_RATE_PERSON = "100/hour"
    settings.AUDIBLE_AUTH_RATE_TOTAL = "4/minute"
    clients = [token_client(UserFactory(username=f"p{n}")) for n in range(5)]
    codes = [c.post("/api/audible/auth", START, format="json").status_code for c in clients]
    assert codes == [200, 200, 200, 200, 429]


def test_the_counts_are_in_the_shared_database_cache():
    assert caches["throttle"].__class__.__name__ == "DatabaseCache"


def test_a_malformed_rate_is_refused_at_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from tracker_api.config.env import env_rate

    monkeypatch.setenv("AUDIBLE_AUTH_RATE_PERSON", "ten a day")
    with pytest.raises(ImproperlyConfigured, match="10/hour"):
        env_rate("AUDIBLE_AUTH_RATE_PERSON", "10/hour")
    monkeypatch.setenv("AUDIBLE_AUTH_RATE_PERSON", "5/day")
    assert env_rate("AUDIBLE_AUTH_RATE_PERSON", "10/hour") == "5/day"


def test_throttled_attempts_reach_no_amazon_login(wired, sandbox, settings):
    settings.AUDIBLE_AUTH_RATE_PERSON = "1/hour"
    client = token_client(UserFactory(username="mallory"))
    client.post("/api/audible/auth", START, format="json")
    devices = active_devices(sandbox)
    calls = dict(sandbox.state.snapshot()["calls"])
    body = {"method": "password", "email": "a@example.com", "password": "guess-1"}
    assert client.post("/api/audible/auth", body, format="json").status_code == 429
    assert sandbox.state.snapshot()["calls"] == calls
    assert active_devices(sandbox) == devices
