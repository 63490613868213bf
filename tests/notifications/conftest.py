"""Fixtures of the notification tests: real receivers on loopback, a person with channels."""

from __future__ import annotations

import pytest

from tests.notifications.receivers import HttpReceiver
from tests.notifications.receivers import SmtpReceiver
from tests.support.factories import UserFactory
from tracker_api.notifications import channels
from tracker_api.notifications.models import Channel

MAIL_USER = "tracker-mailer"
MAIL_PASSWORD = "Mail-Password-Known-77c1a9"
NTFY_TOKEN = "tk_ntfytokenknown0123456789ab"
TOPIC = "alice-secret-topic-4e9f"


@pytest.fixture
def http_receiver():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_receiver(settings):
    receiver = SmtpReceiver(MAIL_USER, MAIL_PASSWORD).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = receiver.port
    settings.EMAIL_HOST_USER = MAIL_USER
    settings.EMAIL_HOST_PASSWORD = MAIL_PASSWORD
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "tracker@example.com"
    yield receiver
    receiver.stop()


@pytest.fixture
def person(db):
    return UserFactory(username="alice", email="alice@example.com")


def apprise_channel(user, url: str, name: str = "phone") -> Channel:
    channel = Channel(user=user, name=name, kind="apprise")
    channels.store_url(channel, url)
    channel.save()
    return channel


def json_url(receiver: HttpReceiver, path: str = "hook") -> str:
    return f"json://{receiver.url}/{path}"


def ntfy_url(receiver: HttpReceiver) -> str:
    return f"ntfy://{NTFY_TOKEN}@{receiver.url}/{TOPIC}?auth=token"


def email_channel(user, address: str = "alice@example.com") -> Channel:
    return Channel.objects.create(user=user, name="mail", kind="email", email=address)


# --------------------------------------------------------------------------- figures
# What the delivery tests really sent, printed at the end of the run (the closing note of
# issue 16 quotes them): messages queued to a channel, delivered, attempts that failed and
# were retried, given up; and what the real receivers got.
FIGURES = {"queued": 0, "delivered": 0, "failed_attempts": 0, "retried": 0, "gave_up": 0}


@pytest.fixture(autouse=True)
def _count_deliveries(_django_db_helper):
    """Torn down before the database is rolled back or flushed, so it sees the test's rows."""
    yield
    from django.db.models import Sum

    from tracker_api.notifications.models import Delivery

    try:
        rows = Delivery.objects.all()
        delivered = rows.filter(status="delivered").count()
        attempts = rows.aggregate(n=Sum("attempts"))["n"] or 0
        FIGURES["queued"] += rows.count()
        FIGURES["delivered"] += delivered
        FIGURES["failed_attempts"] += attempts - delivered
        FIGURES["retried"] += sum(max(a - 1, 0) for a in rows.values_list("attempts", flat=True))
        FIGURES["gave_up"] += rows.filter(status="gave_up").count()
    except Exception:  # a test that left no database to read
        return


def pytest_sessionfinish(session):
    """Under xdist each worker counts its own tests: it hands its figures to the controller."""
    from tests.notifications.receivers import RECEIVED

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["notification_figures"] = {"figures": FIGURES, "received": RECEIVED}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up what each xdist worker counted."""
    from tests.notifications.receivers import RECEIVED

    counted = getattr(node, "workeroutput", {}).get("notification_figures")
    if counted:
        for totals, part in ((FIGURES, counted["figures"]), (RECEIVED, counted["received"])):
            for key, value in part.items():
                totals[key] += value


def pytest_terminal_summary(terminalreporter):
    from tests.notifications.receivers import RECEIVED

    if FIGURES["queued"]:
        terminalreporter.write_line(
            "notifications: {queued} deliveries queued, {delivered} delivered, "
            "{failed_attempts} failed attempts, {retried} retries, {gave_up} given up; "
            "received: {http} over HTTP (Apprise json:// and ntfy://), {smtp} e-mails".format(
                **FIGURES, **RECEIVED
            )
        )
