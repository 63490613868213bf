"""Connect, reconnect and disconnect Audible from the admin as a person, against the sandbox.

The real gateway is served over HTTP in front of the real sandbox (``wired``); the "browser"
is Django's test client plus one plain GET of the Amazon login link (the sandbox logs in at
once and redirects to the maplanding address a person pastes back). The sandbox's device list
says what is registered at "Amazon".
"""

from __future__ import annotations

import json

import httpx
import pytest
from django.contrib.auth.models import Permission

from audible_gateway.sandbox.testing import register_authenticator
from tests.audible_sync.conftest import active_devices
from tests.audible_sync.person_client import logged_in
from tests.audible_sync.person_client import make_person
from tests.audible_sync.person_client import messages_of
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.pages.connection import SESSION_KEY

pytestmark = pytest.mark.django_db

PAGE = "/admin/audible_sync/connection/"


@pytest.fixture
def carol(db):
    return make_person("carol")


def _landing(login_url: str) -> str:
    answer = httpx.get(login_url, follow_redirects=False)
    assert answer.status_code == 302
    return answer.headers["location"]


def start(client, locale: str = "us") -> str:
    """Press "Start the Amazon login"; the page then shows the link: return it."""
    answer = client.post(PAGE + "start/", {"locale": locale})
    assert answer.status_code == 302
    assert answer["Location"].endswith("#finish-login")
    page = client.get(PAGE)
    link = page.context["pending"]["login_url"]
    html = page.content.decode()
    assert 'id="amazon-login-link"' in html
    assert link.replace("&", "&amp;") in html
    assert "/ap/maplanding?" in html
    assert "openid.oa2.authorization_code=" in html
    return link


def connect(client, locale: str = "us"):
    link = start(client, locale)
    return client.post(PAGE + "finish/", {"redirect_url": _landing(link)}, follow=True)


def test_a_person_connects_through_the_amazon_login(wired, sandbox, carol):
    before = active_devices(sandbox)
    client = logged_in(carol)
    assert "Start the Amazon login" in client.get(PAGE).content.decode()

    done = connect(client, "uk")

    assert done.redirect_chain[-1][0] == "/admin/audible_sync/dashboard/"
    assert any("Audible is connected" in m for m in messages_of(done))
    config = AudibleConfig.objects.get(user=carol)
    assert config.sealed_auth
    assert config.account["locale"] == "uk"
    assert active_devices(sandbox) == before + 1
    assert SESSION_KEY not in client.session  # the login state is used up
    page = client.get(PAGE).content.decode()
    assert config.sealed_auth not in page
    assert "Connected" in page


def test_reconnect_and_disconnect_leave_no_extra_device(wired, sandbox, carol):
    before = active_devices(sandbox)
    client = logged_in(carol)
    connect(client)
    first = AudibleConfig.objects.get(user=carol).sealed_auth
    again = connect(client)
    assert any("previous connection was deregistered" in m for m in messages_of(again))
    assert AudibleConfig.objects.get(user=carol).sealed_auth != first
    assert active_devices(sandbox) == before + 1  # the replaced device is gone

    confirm = client.get(PAGE + "disconnect/")
    assert confirm.status_code == 200
    assert b"Yes, disconnect" in confirm.content
    assert active_devices(sandbox) == before + 1  # a GET changes nothing
    gone = client.post(PAGE + "disconnect/", follow=True)
    assert any("device is deregistered" in m for m in messages_of(gone))
    assert active_devices(sandbox) == before
    config = AudibleConfig.objects.get(user=carol)
    assert (config.sealed_auth, config.account, config.connected_at) == ("", {}, None)


def test_a_wrong_paste_says_what_to_paste_and_connects_nothing(wired, sandbox, carol):
    client = logged_in(carol)
    start(client)
    answer = client.post(
        PAGE + "finish/", {"redirect_url": "https://www.amazon.com/ap/signin?x=1"}, follow=True
    )
    text = " ".join(messages_of(answer))
    assert "does not come from a finished Amazon login" in text
    assert not AudibleConfig.objects.filter(user=carol).exclude(sealed_auth="").exists()
    assert client.session.get(SESSION_KEY)  # the person may paste again


def test_finishing_without_starting_asks_to_start(wired, carol):
    answer = logged_in(carol).post(PAGE + "finish/", {"redirect_url": "x"}, follow=True)
    assert any("start it again" in m for m in messages_of(answer))


def test_the_auth_file_import_connects_and_disconnect_deregisters_it(
    wired, sandbox, carol, tmp_path
):
    before = active_devices(sandbox)
    path = tmp_path / "audible.json"
    register_authenticator(sandbox.url).to_file(path, encryption=False)
    assert active_devices(sandbox) == before + 1
    client = logged_in(carol)
    with path.open("rb") as handle:
        done = client.post(PAGE + "import/", {"auth_file": handle}, follow=True)
    assert any("Audible is connected" in m for m in messages_of(done)), messages_of(done)
    assert AudibleConfig.objects.get(user=carol).sealed_auth
    assert json.loads(path.read_text())["adp_token"] not in done.content.decode()
    client.post(PAGE + "disconnect/")
    assert active_devices(sandbox) == before


def test_a_file_that_is_not_an_auth_file_is_refused(wired, carol, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}')
    with path.open("rb") as handle:
        answer = logged_in(carol).post(PAGE + "import/", {"auth_file": handle}, follow=True)
    assert any("could not be connected" in m for m in messages_of(answer))
    assert not AudibleConfig.objects.filter(user=carol).exclude(sealed_auth="").exists()


def test_re_login_needed_links_straight_to_reconnect(wired, carol):
    AudibleConfig.objects.create(user=carol, sealed_auth="sealed-x", needs_relogin=True)
    client = logged_in(carol)
    board = client.get("/admin/audible_sync/dashboard/").content.decode()
    assert '<a href="/admin/audible_sync/connection/#external-login" id="relogin-link">' in board
    page = client.get(PAGE).content.decode()
    assert "Needs re-login" in page
    assert 'id="relogin-explained"' in page
    assert "Reconnect with the Amazon login" in page


def test_connect_attempts_count_against_the_api_throttle(wired, carol, settings):
    settings.AUDIBLE_AUTH_RATE_PERSON = "2/hour"
    client = logged_in(carol)
    for _ in range(2):
        assert client.post(PAGE + "start/", {"locale": "us"}).status_code == 302
    answer = client.post(PAGE + "start/", {"locale": "us"}, follow=True)
    assert any("Too many connection attempts" in m for m in messages_of(answer))


def test_view_only_staff_cannot_connect_or_disconnect(wired, sandbox, django_user_model):
    from tests.audible_sync.person_client import PASSWORD

    vera = django_user_model.objects.create_user("vera", "v@example.com", PASSWORD, is_staff=True)
    vera.user_permissions.add(Permission.objects.get(codename="view_audibleconfig"))
    AudibleConfig.objects.create(user=vera, sealed_auth="sealed-v")
    client = logged_in(vera)
    assert client.get(PAGE).status_code == 200
    for route in ("start/", "finish/", "import/", "disconnect/"):
        assert client.post(PAGE + route, {"locale": "us"}).status_code == 403, route
    assert AudibleConfig.objects.get(user=vera).sealed_auth == "sealed-v"
