"""Channels, settings and messages over the REST API and in the admin, with real delivery.

A person adds a ntfy channel (a real HTTP receiver plays the ntfy server) and an e-mail channel
(a real SMTP server), presses "Send a test" (API action and admin button) and receives it. The
URL's token and topic are never answered back, in full or URL-encoded, nor shown in a page.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.notifications.conftest import NTFY_TOKEN
from tests.notifications.conftest import TOPIC
from tests.notifications.conftest import apprise_channel
from tests.notifications.conftest import json_url
from tests.notifications.conftest import ntfy_url
from tests.notifications.receivers import HttpReceiver
from tests.notifications.receivers import decoded_subject
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tracker_api.core.roles import PERSON_GROUP
from tracker_api.notifications import sealing
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Notification

pytestmark = pytest.mark.django_db
PASSWORD = "person-password-31"


def no_secret(text: str) -> None:
    for secret in (NTFY_TOKEN, TOPIC, quote(NTFY_TOKEN), quote(TOPIC)):
        assert secret not in text


@pytest.fixture
def api(person):
    return token_client(person)


def test_a_ntfy_channel_over_the_api_is_sealed_masked_and_tested(api, person, http_receiver):
    created = api.post(
        "/api/notifications/channels",
        {"name": "phone", "kind": "apprise", "url": ntfy_url(http_receiver)},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "url" not in body
    assert body["url_masked"].startswith("ntfy://")
    assert "****" in body["url_masked"]
    assert body["status"] == "untested"
    no_secret(created.content.decode())
    channel = Channel.objects.get(pk=body["id"])
    no_secret(channel.url_sealed)  # sealed at rest
    assert sealing.open_sealed(channel.url_sealed) == ntfy_url(http_receiver)

    tested = api.post(f"/api/notifications/channels/{channel.pk}/test")
    assert tested.status_code == 200, tested.content
    assert tested.json()["delivered"] is True
    assert tested.json()["error"] == ""
    (message,) = http_receiver.messages()
    assert message["json"]["topic"] == TOPIC
    assert message["json"]["title"] == "Test from your book tracker"
    listed = api.get("/api/notifications/channels")
    assert listed.json()["results"][0]["status"] == "ok"
    no_secret(listed.content.decode())
    history = api.get("/api/notifications")
    assert history.json()["results"][0]["code"] == "test"
    assert history.json()["results"][0]["deliveries"][0]["status"] == "delivered"
    no_secret(history.content.decode())


def test_a_failing_test_answers_the_scrubbed_error(api, person):
    dead = HttpReceiver()  # never started
    channel = apprise_channel(person, f"ntfy://{NTFY_TOKEN}@{dead.url}/{TOPIC}")
    answer = api.post(f"/api/notifications/channels/{channel.pk}/test")
    assert answer.status_code == 200
    assert answer.json()["delivered"] is False
    assert answer.json()["error"]
    no_secret(answer.content.decode())
    assert api.get(f"/api/notifications/channels/{channel.pk}").json()["status"] == "failing"


def test_bad_bodies_get_the_one_error_shape(api, person):
    bad = api.post(
        "/api/notifications/channels", {"name": "x", "kind": "apprise", "url": "nope://what"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["url"]
    missing = api.post("/api/notifications/channels", {"name": "x", "kind": "apprise"})
    assert missing.status_code == 400
    assert "url" in missing.json()["error"]["fields"]
    unknown = api.post("/api/notifications/channels", {"name": "x", "secret_sauce": 1})
    assert unknown.json()["error"]["code"] == "unknown_field"
    shown = api.patch("/api/notifications/settings", {"failure_threshold": 0})
    assert shown.status_code == 400
    zone = api.patch("/api/notifications/settings", {"time_zone": "Mars/Olympus"})
    assert zone.status_code == 400


def test_settings_start_at_the_defaults_and_change(api, person):
    assert api.get("/api/notifications/settings").json() == {
        "relogin_needed": True,
        "sync_failing": True,
        "failure_threshold": 3,
        "conflicts_waiting": True,
        "book_finished": False,
        "digest_day": None,
        "quiet_start": None,
        "quiet_end": None,
        "time_zone": "",
    }
    changed = api.patch(
        "/api/notifications/settings",
        {
            "digest_day": 6,
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "time_zone": "Europe/Berlin",
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["digest_day"] == 6
    assert changed.json()["quiet_start"] == "22:00"


def test_another_persons_channel_is_a_404(person, http_receiver):
    channel = apprise_channel(person, json_url(http_receiver))
    other = token_client(UserFactory(username="bob"))
    assert other.get(f"/api/notifications/channels/{channel.pk}").status_code == 404
    assert other.post(f"/api/notifications/channels/{channel.pk}/test").status_code == 404
    assert other.get("/api/notifications").json()["count"] == 0
    assert http_receiver.messages() == []


@pytest.fixture
def staff_person(person):
    person.is_staff = True
    person.set_password(PASSWORD)
    person.save()
    person.groups.add(Group.objects.get(name=PERSON_GROUP))
    client = Client()
    assert client.login(username=person.username, password=PASSWORD)
    return client


def test_a_person_sets_up_ntfy_in_the_admin_and_presses_send_a_test(
    staff_person, person, http_receiver
):
    page = staff_person.get("/admin/notifications/channel/add/")
    assert page.status_code == 200
    saved = staff_person.post(
        "/admin/notifications/channel/add/",
        {"name": "phone", "kind": "apprise", "url": ntfy_url(http_receiver), "enabled": "on"},
    )
    assert saved.status_code == 302, saved.content[:2000]
    channel = Channel.objects.get(user=person)
    change = staff_person.get(f"/admin/notifications/channel/{channel.pk}/change/")
    assert b"Send a test" in change.content
    no_secret(change.content.decode())
    pressed = staff_person.post(f"/admin/notifications/channel/{channel.pk}/test/", follow=True)
    assert b"Test sent to" in pressed.content
    (message,) = http_receiver.messages()
    assert message["headers"]["Authorization"] == f"Bearer {NTFY_TOKEN}"
    # saving the form again without a URL keeps the sealed one
    staff_person.post(
        f"/admin/notifications/channel/{channel.pk}/change/",
        {"name": "phone 2", "kind": "apprise", "url": "", "enabled": "on"},
    )
    channel.refresh_from_db()
    assert channel.name == "phone 2"
    assert sealing.open_sealed(channel.url_sealed) == ntfy_url(http_receiver)
    for page in (
        "/admin/notifications/channel/",
        "/admin/notifications/notification/",
        f"/admin/notifications/notification/{Notification.objects.get().pk}/change/",
    ):
        answer = staff_person.get(page)
        assert answer.status_code == 200, page
        no_secret(answer.content.decode())


def test_an_email_channel_from_the_admin_receives_its_test(staff_person, person, smtp_receiver):
    staff_person.post(
        "/admin/notifications/channel/add/",
        {"name": "mail", "kind": "email", "email": "alice@example.com", "enabled": "on"},
    )
    channel = Channel.objects.get(user=person)
    pressed = staff_person.post(f"/admin/notifications/channel/{channel.pk}/test/", follow=True)
    assert b"Test sent to" in pressed.content
    (mail,) = smtp_receiver.messages
    assert decoded_subject(mail["data"]) == "Test from your book tracker"


def test_a_failing_channel_is_reported_in_the_admin_and_on_the_dashboard(staff_person, person):
    dead = HttpReceiver()
    channel = apprise_channel(person, f"ntfy://{NTFY_TOKEN}@{dead.url}/{TOPIC}")
    pressed = staff_person.post(f"/admin/notifications/channel/{channel.pk}/test/", follow=True)
    assert b"failed" in pressed.content
    listing = staff_person.get("/admin/notifications/channel/")
    assert b"Failing (1)" in listing.content
    assert b"channel(s) failing" in listing.content
    no_secret(listing.content.decode())
    board = staff_person.get("/admin/audible_sync/dashboard/")
    assert b"dash-channel-failing" in board.content
    no_secret(board.content.decode())


def test_quiet_hours_are_wall_clock_times_without_an_offset(api, person):
    """A UTC offset would contradict ``time_zone``: refused, and nothing is changed."""
    refused = api.patch(
        "/api/notifications/settings", {"quiet_end": "09:30:12+02:00"}, format="json"
    )
    assert refused.status_code == 400, refused.content
    assert "quiet_end" in str(refused.json())
    assert api.get("/api/notifications/settings").json()["quiet_end"] is None
    for bad in ["24:00", "7:00", "07:60", "", 700, "07:00pm"]:
        answer = api.patch("/api/notifications/settings", {"quiet_start": bad}, format="json")
        assert answer.status_code == 400, (bad, answer.content)
    seconds = api.patch("/api/notifications/settings", {"quiet_end": "07:00:59"}, format="json")
    assert seconds.json()["quiet_end"] == "07:00"
    cleared = api.patch("/api/notifications/settings", {"quiet_end": None}, format="json")
    assert cleared.json()["quiet_end"] is None
