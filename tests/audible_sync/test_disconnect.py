"""Disconnect and reconnect leave no extra registered device in the (real, served) sandbox."""

from __future__ import annotations

import pytest

from tests.audible_sync.api.test_audible_api_auth import connect_external
from tests.audible_sync.conftest import active_devices
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.disconnect import disconnect
from tracker_api.audible_sync.models import AudibleConfig

pytestmark = pytest.mark.django_db


def test_disconnect_deregisters_the_device_and_forgets_the_blob(wired, sandbox, api, alice):
    before = active_devices(sandbox)
    assert connect_external(api).status_code == 200
    assert active_devices(sandbox) == before + 1
    config = AudibleConfig.objects.get(user=alice)
    config.sync_interval_minutes = 120
    config.save()
    sealed = config.sealed_auth

    outcome = disconnect(alice)

    assert (outcome.was_connected, outcome.deregistered) == (True, True)
    assert active_devices(sandbox) == before
    config.refresh_from_db()
    assert (config.sealed_auth, config.account, config.connected_at) == ("", {}, None)
    assert config.sync_interval_minutes == 120  # preferences survive
    with pytest.raises(gateway.GatewayCallError) as caught:
        gateway.fetch_library(sealed)  # the old blob's device is gone at Amazon
    assert caught.value.needs_relogin


def test_reconnecting_deregisters_the_device_it_replaces(wired, sandbox, api, alice):
    before = active_devices(sandbox)
    for _ in range(3):
        assert connect_external(api).status_code == 200
    assert active_devices(sandbox) == before + 1
    disconnect(alice)
    assert active_devices(sandbox) == before


def test_disconnecting_twice_or_never_connected_is_harmless(wired, sandbox, api, alice):
    assert disconnect(alice).was_connected is False
    connect_external(api)
    disconnect(alice)
    assert disconnect(alice) == type(disconnect(alice))(was_connected=False, deregistered=False)


def test_a_device_amazon_already_dropped_is_forgotten_all_the_same(wired, sandbox, api, alice):
    connect_external(api)
    sandbox.state.revoke_device()  # Amazon dropped every device
    sandbox.state.expire_access_tokens()
    outcome = disconnect(alice)
    assert (outcome.was_connected, outcome.deregistered) == (True, False)
    assert AudibleConfig.objects.get(user=alice).sealed_auth == ""


def test_an_unreachable_gateway_keeps_the_blob_to_try_again(wired, sandbox, api, alice, settings):
    connect_external(api)
    settings.AUDIBLE_SERVICE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(gateway.GatewayCallError) as caught:
        disconnect(alice)
    assert caught.value.code == gateway.UNREACHABLE
    assert AudibleConfig.objects.get(user=alice).sealed_auth != ""
    settings.AUDIBLE_SERVICE_URL = wired.url
    assert disconnect(alice).deregistered is True
