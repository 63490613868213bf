"""No secret reaches a log line, an API answer (body or header) or an admin page.

Known values are set for every secret the tracker touches: SECRET_KEY, AUDIBLE_API_SECRET,
CRON_SECRET, a staff person's password and API token, the gateway's Fernet key, the sealed
blob and the Audible tokens inside it, and an Audible account password sent through the
tracker. Then every flow runs, failures included: connect, sync ok / rate limited (ours and
Audible's) / already running / upstream 500 / gateway down / re-login required, the command,
cron with a wrong and the right bearer. Every log record of every logger (DEBUG and up), every
answer and every admin page a staff person opens is scanned for every value.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from tests.hardening.gateway.secret_scan import auth_secrets
from tests.hardening.gateway.secret_scan import fernet_key_forms
from tests.notifications.receivers import HttpReceiver
from tests.notifications.receivers import SmtpReceiver
from tests.support.factories import BookFactory
from tests.support.factories import UserFactory
from tests.support.stack import SECRET as GATEWAY_SECRET
from tests.support.stack import Stack
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.demo.processes import free_port
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import SchedulerHeartbeat

from .conftest import token_client

FERNET_KEY = Fernet.generate_key().decode()
PASSWORD = "Staff-Password-Known-4f1c9e"
AUDIBLE_PASSWORD = "Audible-Account-Password-8d2b"
SECRET_KEY = "tracker-secret-key-known-" + "9a" * 16
CRON_SECRET = "cron-secret-known-" + "c3" * 12
NTFY_TOKEN = "tk_known0ntfy0token0abcdef12"
TOPIC = "known-secret-topic-5b7e"
MAIL_PASSWORD = "Known-Mail-Password-19ad"
OPERATOR_TOKEN = "tk_operator0token0known0099"
OPERATOR_TOPIC = "operator-topic-known-c0ffee"


@pytest.fixture(scope="module")
def keyed_stack():
    stack = Stack(ENCRYPTION_KEY=FERNET_KEY)
    yield stack
    stack.stop()


class Recorder:
    """Every answer and page, as text, with where it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def keep(self, where: str, response) -> None:
        headers = " ".join(f"{k}: {v}" for k, v in response.items())
        cookies = " ".join(str(c) for c in response.cookies.values())
        self.texts.append(
            (
                where,
                f"{response.status_code} {headers} {cookies} "
                + (response.content.decode(errors="replace")),
            )
        )


def _connect(client: APIClient, recorder: Recorder) -> None:
    start = client.post("/api/audible/auth", {"method": "external", "locale": "us"}, format="json")
    recorder.keep("auth start", start)
    assert start.status_code == 200, start.content
    landing = httpx.get(start.json()["login_url"], follow_redirects=False).headers["location"]
    done = client.post(
        "/api/audible/auth",
        {"method": "external", "state": start.json()["state"], "redirect_url": landing},
        format="json",
    )
    recorder.keep("auth done", done)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "connected"


def _sync(client, recorder, where, expect, body=None):
    response = client.post("/api/audible/sync", body or {"force": True}, format="json")
    recorder.keep(where, response)
    assert response.status_code == expect, (where, response.content[:300])
    return response


def test_no_secret_reaches_a_log_an_answer_or_an_admin_page(
    db, settings, keyed_stack, caplog, client
):
    stack = keyed_stack
    stack.state.clear_faults()
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.SECRET_KEY = SECRET_KEY
    settings.CRON_SECRET = CRON_SECRET
    stack.point(settings, budget_s=1, read_timeout_s=None)
    settings.AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S = 1
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.NOTSET)  # nothing filtered above DEBUG

    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    staff.set_password(PASSWORD)
    staff.save()
    BookFactory(user=staff, title="The Hobbit", authors=["J.R.R. Tolkien"])
    api = token_client(staff)
    token = staff.auth_token.key
    rec = Recorder()

    # -- notification channels with secrets of their own: a ntfy token and topic, a mail
    # password (a real SMTP server checks it), an operator URL whose token nothing answers
    ntfy = HttpReceiver().start()
    smtp = SmtpReceiver("mailer", MAIL_PASSWORD).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "mailer", MAIL_PASSWORD
    settings.NOTIFY_OPERATOR_URLS = [
        f"ntfy://{OPERATOR_TOKEN}@127.0.0.1:{free_port()}/{OPERATOR_TOPIC}"
    ]
    for body in (
        {"name": "phone", "kind": "apprise", "url": f"ntfy://{NTFY_TOKEN}@{ntfy.url}/{TOPIC}"},
        {"name": "mail", "kind": "email", "email": "staffer@example.com"},
        {"name": "bad", "kind": "apprise", "url": f"ntfy://{NTFY_TOKEN}x@nowhere/{TOPIC}"},
    ):
        rec.keep(f"channel {body['name']}", api.post("/api/notifications/channels", body))

    # -- connect, and a password that only passes through
    _connect(api, rec)
    rec.keep(
        "auth file with password",
        api.post(
            "/api/audible/auth",
            {
                "method": "file",
                "auth_file": "bm90IGFuIGF1dGggZmlsZQ==",
                "password": AUDIBLE_PASSWORD,
            },
            format="json",
        ),
    )
    config = AudibleConfig.objects.get(user=staff)
    blob = config.sealed_auth
    assert blob
    inner = stack.gateway_app.extensions["audible_gateway"].sealer.open(blob, "audible_auth").data

    # -- syncs: ok, our rate limit, a held lock, Audible's 429, upstream 500, gateway down
    _sync(api, rec, "sync ok", 200)
    _sync(api, rec, "sync rate limited", 429, body={"force": False})
    AudibleConfig.objects.filter(pk=config.pk).update(sync_lock_token="held-by-someone")
    _sync(api, rec, "sync 409 running", 409)
    AudibleConfig.objects.filter(pk=config.pk).update(sync_lock_token="", sync_locked_at=None)
    stack.state.arm_fault(path="/1.0/library", status=429, retry_after=30, count=None)
    _sync(api, rec, "sync audible 429", 429)
    stack.state.clear_faults()
    AudibleConfig.objects.filter(pk=config.pk).update(rate_limited_until=None)
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    _sync(api, rec, "sync upstream 500", 502)
    stack.state.clear_faults()
    settings.AUDIBLE_SERVICE_URL = f"http://127.0.0.1:{free_port()}"
    response = _sync(api, rec, "sync gateway down", 502)
    assert response.json()["error"]["code"] == "gateway_unreachable"
    settings.AUDIBLE_SERVICE_URL = f"http://127.0.0.1:{free_port()}"
    rec.keep(
        "connect gateway down",
        api.post("/api/audible/auth", {"method": "external", "locale": "us"}, format="json"),
    )
    settings.AUDIBLE_SERVICE_URL = stack.gateway.url
    settings.AUDIBLE_API_SECRET = "not-the-gateway-secret-at-all-000"
    rec.keep(
        "sync wrong shared secret", api.post("/api/audible/sync", {"force": True}, format="json")
    )
    settings.AUDIBLE_API_SECRET = GATEWAY_SECRET

    # -- the command, ok and failing
    call_command("audible_sync", "--user", "staffer", "--force")
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    with pytest.raises(CommandError):
        call_command("audible_sync", "--user", "staffer", "--force")
    stack.state.clear_faults()

    # -- re-login required, then reconnect
    stack.state.arm_fault(path="/1.0/library", status=401, count=None)
    response = _sync(api, rec, "sync reauth", 409)
    assert response.json()["error"]["code"] == "audible_reauth_required"
    stack.state.clear_faults()
    rec.keep("status needs relogin", api.get("/api/audible/status"))
    _connect(api, rec)
    blob2 = AudibleConfig.objects.get(pk=config.pk).sealed_auth

    # -- cron: wrong and right bearer
    anon = APIClient()
    for header in ("Bearer wrong", f"Bearer {CRON_SECRET}x", "", f"Token {token}"):
        anon.credentials(HTTP_AUTHORIZATION=header)
        rec.keep(f"cron {header[:8]}", anon.get("/api/cron/audible-sync"))
    AudibleConfig.objects.filter(pk=config.pk).update(next_sync_at=None)
    AudibleSyncLog.objects.filter(user=staff).delete()  # due again
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {CRON_SECRET}")
    cron = anon.get("/api/cron/audible-sync")
    rec.keep("cron ok", cron)
    assert cron.json()["count"] == 1, cron.content

    # -- notifications: tests, deliveries (the operator URL fails), the outbox as answered
    for channel in Channel.objects.filter(user=staff):
        rec.keep("channel test", api.post(f"/api/notifications/channels/{channel.pk}/test"))
    SchedulerHeartbeat.objects.all().delete()  # cron "not running": operators are told
    call_command("send_notifications")
    assert ntfy.messages(), "the ntfy messages really went out"
    assert smtp.messages, "the e-mails really went out"
    assert Delivery.objects.filter(status="pending").exclude(last_error="").exists()
    ntfy.stop()
    smtp.stop()

    # -- every read endpoint
    for path in (
        "/api/notifications/channels",
        "/api/notifications",
        "/api/notifications/settings",
        "/api/audible/status",
        "/api/audible/config",
        "/api/audible/conflicts?status=all",
        "/api/books?page_size=500",
        "/api/schema?format=json",
    ):
        rec.keep(path, api.get(path))
    for conflict in AudibleConflict.objects.filter(user=staff)[:3]:
        rec.keep("conflict", api.get(f"/api/audible/conflicts/{conflict.pk}"))

    # -- the admin, as the staff person logs in (the password passes through a form)
    login = client.post("/admin/login/?next=/admin/", {"username": "staffer", "password": PASSWORD})
    assert login.status_code == 302, login.content[:300]
    pages = [
        "/admin/",
        "/admin/audible_sync/audibleconfig/",
        f"/admin/audible_sync/audibleconfig/{config.pk}/change/",
        "/admin/audible_sync/audibleconflict/",
        "/admin/audible_sync/audiblesynclog/",
        "/admin/audible_sync/audiblebookmapping/",
        "/admin/audible_sync/audibleprogresshistory/",
        "/admin/books/book/",
        "/admin/notifications/channel/",
        "/admin/notifications/notification/",
        "/admin/notifications/notificationsettings/",
        "/admin/audible_sync/dashboard/",
        f"/admin/audible_sync/dashboard/{staff.pk}/",
    ]
    for log in AudibleSyncLog.objects.filter(user=staff)[:8]:
        pages.append(f"/admin/audible_sync/audiblesynclog/{log.pk}/change/")
    for conflict in AudibleConflict.objects.filter(user=staff)[:2]:
        pages.append(f"/admin/audible_sync/audibleconflict/{conflict.pk}/change/")
    for channel in Channel.objects.filter(user=staff):
        pages.append(f"/admin/notifications/channel/{channel.pk}/change/")
    for note in Notification.objects.all()[:5]:
        pages.append(f"/admin/notifications/notification/{note.pk}/change/")
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 404), (page, response.status_code)
        rec.keep(page, response)
    assert sum(1 for where, _ in rec.texts if where.startswith("/admin/")) >= 12

    # -- scan
    secrets = {
        "SECRET_KEY": SECRET_KEY,
        "AUDIBLE_API_SECRET": GATEWAY_SECRET,
        "CRON_SECRET": CRON_SECRET,
        "staff password": PASSWORD,
        "Audible password": AUDIBLE_PASSWORD,
        "API token": token,
        "sealed blob": blob,
        "sealed blob (middle)": blob[40:90],
        "sealed blob after reconnect": blob2,
        "ntfy token": NTFY_TOKEN,
        "ntfy topic": TOPIC,
        "mail password": MAIL_PASSWORD,
        "operator URL token": OPERATOR_TOKEN,
        "operator URL topic": OPERATOR_TOPIC,
    }
    for n, form in enumerate(fernet_key_forms(FERNET_KEY)):
        secrets[f"gateway Fernet key form {n}"] = form
    for n, value in enumerate(auth_secrets(inner)):
        secrets[f"Audible credential {n}"] = value
    assert len(secrets) >= 15
    lines = [
        (f"log {r.name}", r.getMessage() + " " + (r.exc_text or "")) for r in caplog.records
    ] + [("log text", caplog.text)]
    assert len(caplog.records) > 30
    leaks = [
        f"{where}: {name}"
        for where, text in [*rec.texts, *lines]
        for name, value in secrets.items()
        if value and value in text
    ]
    assert leaks == []
    # The flows really ran: failures were logged and answered.
    statuses = {where: text.split(" ", 1)[0] for where, text in rec.texts}
    assert statuses["sync upstream 500"] == "502"
    assert statuses["cron Bearer w"] == "401"
    assert any("failed" in r.getMessage() for r in caplog.records)
