"""Who may do what, for every endpoint the URL conf has (new endpoints are covered by default).

* anonymous: 401 everywhere under /api/ (the schema and its docs page are public on purpose);
* another person: 404 for the owner's objects, and none of the owner's data in any answer;
* a person who is not staff: 403 for staff-only actions (``force`` on a sync);
* the cron endpoint: its own bearer secret, nothing else;
* the admin: anonymous and non-staff people are sent to the login page, from every page;
* production settings pass ``manage.py check --deploy`` without a warning.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tests.support.factories import UserFactory
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.demo.processes import REPO_ROOT
from tracker_api.households import membership
from tracker_api.households.models import WhoseQuestion
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import ChannelKind
from tracker_api.notifications.models import Notification

from .conftest import token_client
from .endpoints import WRITE_METHODS
from .endpoints import admin_pages
from .endpoints import api_endpoints

PUBLIC = {"/api/schema", "/api/docs"}  # the API's description; holds no data
OWN_SECRET_AUTH = {"/api/cron/audible-sync"}  # a bearer secret, not a person
MARK = "OWNERS-PRIVATE-7f3a"


@pytest.fixture
def owned(db):
    """The owner's objects, each carrying a marker no other person may ever see."""
    owner = UserFactory(username="owner-" + MARK.lower())
    book = BookFactory(user=owner, title=f"{MARK} book", authors=[f"{MARK} author"])
    conflict = ConflictFactory(
        user=owner,
        asin="B0PRIVATE1",
        item={"asin": "B0PRIVATE1", "title": f"{MARK} conflict", "authors": ["X"]},
        candidates=[{"book_id": book.pk, "title": f"{MARK} book", "authors": []}],
    )
    mapping = MappingFactory(
        user=owner, asin="B0PRIVATE2", book=book, item={"title": f"{MARK} mapped"}
    )
    ConfigFactory(user=owner, sealed_auth=f"{MARK}-sealed-blob", account={"customer_name": MARK})
    run = SyncLogFactory(user=owner, error=f"{MARK} log")
    read = BookRead.objects.create(book=book, status="reading", percent=10)
    HistoryFactory(user=owner, mapping=mapping, book=book, asin=mapping.asin, percent=10)
    channel = Channel.objects.create(
        user=owner, name=f"{MARK} channel", kind=ChannelKind.EMAIL, email="owner@example.org"
    )
    notification = Notification.objects.create(
        user=owner, code="test", subject=f"{MARK} subject", body=f"{MARK} body", dedupe_key=MARK
    )
    household = membership.create_household(owner, name=f"{MARK} household")
    invitation = membership.invite(household, UserFactory(username="invitee"), by=owner)
    question = WhoseQuestion.objects.create(
        household=household, asin="B0PRIVATE3", item={"title": f"{MARK} question"}
    )
    return {
        "channel": channel,
        "notification": notification,
        "invitation": invitation,
        "question": question,
        "owner": owner,
        "book": book,
        "conflict": conflict,
        "run": run,
        "read": read,
        "mapping": mapping,
    }


def _objects(owned) -> dict[str, int]:
    return {"book": owned["book"].pk, "conflict": owned["conflict"].pk}


def _path_for(endpoint, owned) -> str:
    """The endpoint's path with the owner's object in it; a new kind of parameter fails."""
    if not endpoint.params:
        return endpoint.template
    if endpoint.template.startswith("/api/books/"):
        return endpoint.path(pk=owned["book"].pk, read_id=owned["read"].pk)
    if endpoint.template.startswith("/api/audible/titles/"):
        return endpoint.path(asin=owned["mapping"].asin)
    if endpoint.template.startswith("/api/audible/conflicts/"):
        return endpoint.path(pk=owned["conflict"].pk)
    if endpoint.template.startswith("/api/audible/runs/"):
        return endpoint.path(pk=owned["run"].pk)
    if endpoint.template.startswith("/api/notifications/channels/"):
        return endpoint.path(pk=owned["channel"].pk)
    if endpoint.template.startswith("/api/notifications/"):
        return endpoint.path(pk=owned["notification"].pk)
    if endpoint.template.startswith("/api/household/invitations/"):
        return endpoint.path(pk=owned["invitation"].pk)
    if endpoint.template.startswith("/api/household/questions/"):
        return endpoint.path(pk=owned["question"].pk)
    raise AssertionError(f"{endpoint.template}: tell this test which object its id names")


def _body(owned) -> dict:
    """A body that would act on the owner's objects if ownership were not checked."""
    return {
        "title": "hijacked",
        "book_id": owned["book"].pk,
        "asin": "B0PRIVATE1",
        "action": "link",
        "force": False,
    }


def test_the_endpoint_list_is_read_from_the_url_conf():
    templates = {e.template for e in api_endpoints()}
    assert {"/api/books", "/api/books/<pk>", "/api/audible/sync", "/api/cron/audible-sync"} <= (
        templates
    )
    assert len(templates) >= 14


def test_anonymous_gets_401_from_every_endpoint(owned):
    anon = APIClient()
    checked = 0
    for endpoint in api_endpoints():
        if endpoint.template in PUBLIC:
            continue
        for method in endpoint.methods:
            path = _path_for(endpoint, owned)
            response = getattr(anon, method)(path, _body(owned), format="json")
            assert response.status_code == 401, (method, path, response.content[:200])
            code = response.json()["error"]["code"]
            expected = (
                "invalid_cron_secret"
                if endpoint.template in OWN_SECRET_AUTH
                else ("not_authenticated")
            )
            assert code == expected, (method, path)
            if endpoint.template not in OWN_SECRET_AUTH:
                assert response["WWW-Authenticate"] == "Token"
            checked += 1
    assert checked >= 18
    assert Book.objects.get(pk=owned["book"].pk).title == f"{MARK} book"


def test_a_wrong_or_malformed_token_gets_401(owned):
    for header in ("Token nope", "Token ", "Bearer abc", "Token a b", "token " + "x" * 40):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        for endpoint in api_endpoints():
            if endpoint.template in PUBLIC | OWN_SECRET_AUTH:
                continue
            response = (
                client.get(_path_for(endpoint, owned))
                if "get" in endpoint.methods
                else (client.post(_path_for(endpoint, owned), {}, format="json"))
            )
            assert response.status_code == 401, (header, endpoint.template)


def test_another_person_never_reaches_or_sees_the_owners_data(owned):
    outsider = UserFactory(username="outsider")
    ConfigFactory(user=outsider, sealed_auth="")
    client = token_client(outsider)
    checked = 0
    for endpoint in api_endpoints():
        if endpoint.template in PUBLIC | OWN_SECRET_AUTH:
            continue
        for method in endpoint.methods:
            path = _path_for(endpoint, owned)
            response = getattr(client, method)(path, _body(owned), format="json")
            text = response.content.decode()
            assert MARK not in text, (method, path, text[:300])
            assert response.status_code < 500, (method, path, text[:300])
            if endpoint.params:
                assert response.status_code == 404, (method, path, text[:300])
            checked += 1
    assert checked >= 18
    book = Book.objects.get(pk=owned["book"].pk)  # neither changed nor deleted
    assert book.title == f"{MARK} book"
    owned["conflict"].refresh_from_db()
    assert owned["conflict"].status == "open"
    # Linking the owner's book from the outsider's account is "no such book".
    response = client.post(
        "/api/audible/link", {"asin": "B0ANY", "book_id": book.pk}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "book_not_found"


# Each list a front-end pages through, and what proves the owner's row is in it.
OWNER_LISTS = {
    "/api/books": "title",
    "/api/reads": "book_title",
    "/api/history": "book_title",
    "/api/audible/titles": "title",
    "/api/audible/conflicts": "asin",
    "/api/audible/runs": "error",
    "/api/books/{book}/reads": "book_title",
    "/api/books/{book}/history": "book_title",
    "/api/notifications": "subject",
    "/api/notifications/channels": "name",
}


def test_every_list_shows_the_owner_their_rows_and_another_person_none(owned):
    outsider = token_client(UserFactory(username="outsider"))
    owner = token_client(owned["owner"])
    listed = set()
    for endpoint in api_endpoints():
        if "get" not in endpoint.methods or endpoint.template in PUBLIC | OWN_SECRET_AUTH:
            continue
        answer = owner.get(_path_for(endpoint, owned))
        if isinstance(answer.json(), dict) and "results" in answer.json():
            listed.add(re.sub(r"<(?:\w+:)?pk>", "{book}", endpoint.template))
    assert listed == set(OWNER_LISTS), "a new list endpoint: add it to OWNER_LISTS"
    for template, key in OWNER_LISTS.items():
        path = template.format(book=owned["book"].pk)
        mine = owner.get(path).json()
        assert mine["count"] >= 1, path
        assert any(MARK in str(row[key]) or row[key] == "B0PRIVATE1" for row in mine["results"])
        theirs = outsider.get(path)
        if "{book}" in template:
            assert theirs.status_code == 404, path
        else:
            assert theirs.status_code == 200, path
            assert theirs.json()["count"] == 0, path
            assert MARK not in theirs.content.decode(), path


def test_a_person_who_is_not_staff_may_not_force_a_sync(owned):
    client = token_client(owned["owner"])
    response = client.post("/api/audible/sync", {"force": True}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "force_not_allowed"


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer wrong", "Token {secret}", "Bearer {secret}x",
     "bearer {secret}", "Bearer  {secret}", "Basic {secret}"],
)  # fmt: skip
def test_the_cron_endpoint_wants_exactly_its_bearer(db, header):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header.format(secret=settings.CRON_SECRET))
    response = client.get("/api/cron/audible-sync")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_cron_secret"
    assert settings.CRON_SECRET not in response.content.decode()


def test_the_cron_endpoint_runs_with_the_right_bearer_and_an_empty_secret_opens_nothing(
    db, settings
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {settings.CRON_SECRET}")
    response = client.get("/api/cron/audible-sync")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "failed": 0, "results": []}
    settings.CRON_SECRET = ""
    for header in ("Bearer ", "Bearer", ""):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/cron/audible-sync").status_code == 401


def _admin_paths(owned) -> list[str]:
    values = {
        "object_id": owned["book"].pk,
        "pk": owned["conflict"].pk,
        "user_id": owned["owner"].pk,
        "id": owned["owner"].pk,
        "content_type_id": 1,
        "app_label": "books",
        "url": "no-such-page/",
    }
    paths = []
    for template in admin_pages():
        if template in ("/admin/login/", "/admin/logout/"):
            continue
        paths.append(
            __import__("re").sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), template)
        )
    return paths


def test_every_admin_page_sends_anonymous_and_non_staff_people_to_the_login(owned, client):
    paths = _admin_paths(owned)
    assert len(paths) >= 50
    for who in ("anonymous", "not staff"):
        if who == "not staff":
            person = UserFactory(username="plain", is_staff=False)
            person.set_password("pw-plain-123456")
            person.save()
            client.force_login(person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302, (who, path, response.status_code)
            assert response["Location"].startswith("/admin/login/"), (who, path)
            post = client.post(path, {"title": "hijacked"})
            assert post.status_code in (302, 405), (who, path, post.status_code)
    assert Book.objects.get(pk=owned["book"].pk).title == f"{MARK} book"


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
        "SECRET_KEY": "prod-like-" + "k3Y9" * 16,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "tracker.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://tracker.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        "TRACKER_VAR_DIR": str(tmp_path),
        "AUDIBLE_API_SECRET": "prod-like-gateway-secret-0123456789",
        "CRON_SECRET": "prod-like-cron-secret-0123456789",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output
    # And the settings themselves, as a deployment gets them.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_CONTENT_TYPE_NOSNIFF]))",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(shown.stdout) == [False, True, True, True, 31536000, True], shown.stderr
    # Preloading is the operator's one-way choice; when made, the check passes as well.
    preload = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env={**env, "SECURE_HSTS_PRELOAD": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert preload.returncode == 0, preload.stdout + preload.stderr


def test_every_write_is_refused_to_anonymous_even_with_a_session_cookie_forged(owned):
    client = APIClient()
    client.cookies["sessionid"] = "forged-session-value"
    for endpoint in api_endpoints():
        if endpoint.template in PUBLIC | OWN_SECRET_AUTH:
            continue
        for method in endpoint.methods:
            if method in WRITE_METHODS:
                response = getattr(client, method)(_path_for(endpoint, owned), {}, format="json")
                assert response.status_code == 401, (method, endpoint.template)
