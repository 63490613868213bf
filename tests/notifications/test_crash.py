"""The outbox survives a kill -9 between the sync's commit and the delivery.

A real process (``python -c`` with the tracker's settings, on the test database) syncs a
library file whose titles open conflicts, commits, says so on stdout and waits; the test kills
it with SIGKILL. The message was committed with the sync, so ``manage.py send_notifications``
run afterwards delivers it to the real receiver, exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.notifications.conftest import apprise_channel
from tests.notifications.conftest import json_url
from tests.notifications.test_events import LOOKALIKES
from tests.support.factories import BookFactory
from tests.support.factories import UserFactory
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "audible_gateway/sandbox/data/sample_library.json"

CHILD = """
import os, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from tracker_api.audible_sync.sync import run_sync
user = get_user_model().objects.get(username=sys.argv[1])
outcome = run_sync(user, trigger="command", library_file=sys.argv[2])
print("committed", outcome.log.pk, outcome.log.conflicts_opened, flush=True)
time.sleep(600)  # killed here, before anything delivers
"""


def _db_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"


def test_a_message_committed_before_a_kill_9_is_delivered_afterwards(http_receiver):
    user = UserFactory(username="crashing")
    for title, author in LOOKALIKES:
        BookFactory(user=user, title=title, authors=[author])
    apprise_channel(user, json_url(http_receiver))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings_test",
        "DATABASE_URL": _db_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "CONN_MAX_AGE": "0",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "crashing", str(LIBRARY)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline().split()
        assert line[:1] == ["committed"], line
        assert int(line[2]) >= 2  # several conflicts: one message
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL

    (notification,) = Notification.objects.filter(user=user)
    assert notification.code == "conflicts_waiting"
    assert Delivery.objects.get(notification=notification).status == "pending"
    assert http_receiver.messages() == []

    call_command("send_notifications")
    call_command("send_notifications")
    (message,) = http_receiver.messages()
    assert message["json"]["title"] == notification.subject
    assert Delivery.objects.get(notification=notification).status == "delivered"
