"""Owner scoping, tested from the admin registry: every model, every URL, every action.

Two people (alice owns the rows, bob is the other person) and an operator, on PostgreSQL. For
each model registered in the admin, read from ``admin.site._registry`` (not a hand list):

* as bob: the changelist, its search, facets and date drill-down show and count nothing of
  alice's; her change, delete and history pages, every custom URL of the model's admin and
  every bulk action (posted with her rows selected) are a 404/403 and change nothing of hers;
  autocomplete over the model lists none of her rows;
* as alice: the same pages work, and every bulk action does what it says;
* a staff user with only *view* permission changes nothing through any action or page;
* the person pages (connection, settings, sync now and its status; read from
  ``audible_sync.pages.urls``) show and change nothing of anyone but the person logged in.

A new model registered in the admin fails ``test_every_registered_model_has_a_sample`` until
a sample row is added to ``SAMPLES`` below, so it cannot be left unscoped by accident.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission
from django.db import models
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.admin import TokenChangeList
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.models import TokenProxy

from tests.audible_sync.test_linking import audible_item
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ChangeSet
from tracker_api.audible_sync.pages.urls import page_urls
from tracker_api.audible_sync.sync.apply import apply_library
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.core.owner_admin import owner_path
from tracker_api.core.roles import PERSON_GROUP
from tracker_api.notifications import channels
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

User = get_user_model()
PASSWORD = "isolation-test-password-58"
STANDARD_URLS = {"changelist", "add", "history", "delete", "change"}


def _conflict(owner: Any) -> AudibleConflict:
    book = BookFactory(user=owner, title=f"Fellowship of {owner.username}")
    return ConflictFactory(
        user=owner,
        item=audible_item("B0ISOLATE1", percent=30.0, title=f"Fellowship of {owner.username}"),
        asin="B0ISOLATE1",
        recommendation="strong",
        candidates=[
            {
                "id": book.pk,
                "title": book.title,
                "authors": book.authors,
                "distance": 0.03,
                "similarity": 0.97,
                "penalties": {},
                "reasons": ["title matches"],
            }
        ],
    )


def _book(owner: Any) -> Book:
    book = BookFactory(user=owner, title=f"Secret diary of {owner.username}")
    BookRead.objects.create(book=book, status="reading")
    return book


def _channel(owner: Any) -> Channel:
    channel = Channel(user=owner, name=f"Secret phone of {owner.username}", kind="apprise")
    channels.store_url(channel, "json://127.0.0.1:9/closed-port-hook")  # refused at once
    channel.save()
    return channel


def _notification(owner: Any) -> Notification:
    note = Notification.objects.create(
        user=owner,
        code="conflicts_waiting",
        subject=f"Secret news for {owner.username}",
        body="2 titles wait",
        dedupe_key=f"isolation:{owner.pk}",
    )
    Delivery.objects.create(notification=note, label="json://127.0.0.1:9/c…k")
    return note


def _run(owner: Any) -> AudibleSyncLog:
    """A sync run that wrote something (a book created from a title), so undo has work."""
    config, _ = AudibleConfig.objects.get_or_create(user=owner)
    log = SyncLogFactory(user=owner)
    item = audible_item("B0UNDOME01", percent=25.0, title=f"Undoable of {owner.username}")
    with transaction.atomic():
        apply_library(config, Library(items=[item]), sync_log=log, now=timezone.now())
    return log


def _token(owner: Any) -> TokenProxy:
    token, _ = Token.objects.get_or_create(user=owner)
    return TokenProxy.objects.get(pk=token.pk)


# model -> a row owned by the given person (None: the model is nobody's data, e.g. users)
SAMPLES: dict[type[models.Model], Callable[[Any], Any] | None] = {
    Book: _book,
    AudibleConflict: _conflict,
    AudibleBookMapping: lambda owner: MappingFactory(
        user=owner, book=BookFactory(user=owner), last_percent=20.0
    ),
    AudibleSyncLog: _run,
    ChangeSet: lambda owner: _run(owner).change_sets.get(),
    AudibleProgressHistory: lambda owner: HistoryFactory(
        mapping=MappingFactory(user=owner, book=BookFactory(user=owner))
    ),
    AudibleConfig: lambda owner: ConfigFactory(user=owner),
    AudibleListening: lambda owner: AudibleListening.objects.create(
        user=owner, period="day", starts_on=date(2026, 11, 1), listened_ms=3_600_000
    ),
    TokenProxy: _token,
    Channel: _channel,
    NotificationSettings: lambda owner: NotificationSettings.objects.create(user=owner),
    Notification: _notification,
    User: None,
    Group: None,
}
# The admin modules load with the URL conf (tracker_api/core/admin_app.py), as a request does.
admin.autodiscover()
REGISTRY = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)
OWNED = [(model, model_admin) for model, model_admin in REGISTRY if SAMPLES.get(model)]


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _person(name: str) -> Any:
    user = User.objects.create_user(name, f"{name}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=PERSON_GROUP))
    return user


@pytest.fixture
def household(db):
    alice, bob = _person("alice"), _person("bob")
    User.objects.create_superuser("olga", "olga@example.com", PASSWORD)
    return alice, bob


def _state(user: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``user``'s data in every owned table, to compare before and after."""
    state = {}
    for model in (*[m for m, _ in OWNED], BookRead):
        path = owner_path(model)
        rows = model._default_manager.filter(**{path: user}).order_by("pk").values()
        state[_label(model)] = [dict(row) for row in rows]
    return state


def _object_id(model_admin: admin.ModelAdmin, obj: Any) -> Any:
    """The id the admin's URLs use (DRF's token admin addresses a token by its user)."""
    changelist = model_admin.get_changelist(None)
    return obj.user_id if issubclass(changelist, TokenChangeList) else obj.pk


def _url(model: type[models.Model], name: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def _custom_urls(model_admin: admin.ModelAdmin) -> list[str]:
    """The names of the extra per-object URLs an admin adds (resolve, relink, ...)."""
    info = f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_"
    names = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None) or ""
        if name.startswith(info) and name[len(info) :] not in STANDARD_URLS:
            names.append(name)
    return names


def _actions(model_admin: admin.ModelAdmin) -> list[str]:
    """Every bulk action an operator is offered on this model."""
    operator = User(username="olga", is_superuser=True, is_staff=True, is_active=True)
    return list(model_admin.get_actions(_request(operator)))


def _request(user: Any) -> Any:
    return type("Request", (), {"user": user, "GET": {}, "POST": {}})()


def _post_action(client: Client, model: type[models.Model], action: str, ids: list[Any]) -> Any:
    return client.post(
        _url(model, "changelist"),
        {"action": action, "_selected_action": [str(i) for i in ids], "post": "yes"},
    )


def _refused(response: Any) -> bool:
    return response.status_code in (403, 404)


# --------------------------------------------------------------------------- the registry


def test_every_registered_model_has_a_sample():
    missing = [_label(model) for model, _ in REGISTRY if model not in SAMPLES]
    assert missing == [], f"add a sample row for {missing} to SAMPLES in {__file__}"


def test_every_owned_model_has_an_owner_path():
    for model, _ in OWNED:
        assert owner_path(model) is not None, _label(model)
    assert owner_path(BookRead) == "book__user"


# --------------------------------------------------------------------------- the other person


@pytest.mark.parametrize(("model", "model_admin"), OWNED, ids=[_label(m) for m, _ in OWNED])
def test_the_other_person_sees_counts_and_changes_nothing(household, model, model_admin):
    alice, bob = household
    obj = SAMPLES[model](alice)
    SAMPLES[model](bob)  # bob has a row of his own, so his lists are not empty by accident
    object_id = _object_id(model_admin, obj)
    before = _state(alice)
    client = _login("bob")
    changelist = _url(model, "changelist")

    for query in ("", "?q=alice", "?_facets=1", "?q=Secret", f"?user__id__exact={alice.pk}"):
        page = client.get(changelist + query)
        assert page.status_code == 200, (query, page.status_code)
        assert page.context["cl"].full_result_count == 1, query  # his own row only
        shown = [_object_id(model_admin, row) for row in page.context["cl"].result_list]
        assert object_id not in shown or object_id == bob.pk, query
        if "alice" not in query:  # (a search for "alice" shows the word in the search box)
            assert b"alice" not in page.content.lower(), query

    # 404 as for a row that does not exist (403 where bob lacks the permission for any row)
    for name in ("change", "delete", "history"):
        assert _refused(client.get(_url(model, name, object_id))), name
    assert client.get(_url(model, "change", object_id)).status_code == 404
    assert _refused(client.post(_url(model, "change", object_id), {}))
    assert _refused(client.post(_url(model, "delete", object_id), {"post": "yes"}))

    for name in _custom_urls(model_admin):
        url = reverse(f"admin:{name}", args=[obj.pk])
        for data in ({"action": "ignore"}, {"ignore": "1"}, {"book_id": "1", "action": "link"}):
            assert _refused(client.post(url, data)), (name, data)
        assert client.get(url).status_code in (403, 404, 405), name

    for action in _actions(model_admin):
        _post_action(client, model, action, [object_id])

    assert _state(alice) == before


@pytest.mark.parametrize(("model", "model_admin"), OWNED, ids=[_label(m) for m, _ in OWNED])
def test_autocomplete_lists_none_of_another_persons_rows(household, model, model_admin):
    alice, _ = household
    theirs = SAMPLES[model](alice)
    client = _login("bob")
    for source_model, _ in REGISTRY:
        for field in source_model._meta.get_fields():
            if not (field.many_to_one and field.concrete and field.related_model is model):
                continue
            answer = client.get(
                "/admin/autocomplete/",
                {
                    "term": "",
                    "app_label": source_model._meta.app_label,
                    "model_name": source_model._meta.model_name,
                    "field_name": field.name,
                },
            )
            if answer.status_code == 200:
                ids = {row["id"] for row in answer.json()["results"]}
                assert str(theirs.pk) not in ids, (_label(source_model), field.name)
            else:
                assert answer.status_code in (403, 404)


def test_nobodys_models_are_closed_to_a_person(household):
    alice, _ = household
    client = _login("bob")
    for model, _ in REGISTRY:
        if SAMPLES.get(model) is not None:
            continue
        assert client.get(_url(model, "changelist")).status_code == 403, _label(model)
        assert client.get(_url(model, "add")).status_code == 403, _label(model)
        target = alice.pk if model is User else Group.objects.get(name=PERSON_GROUP).pk
        assert client.get(_url(model, "change", target)).status_code == 403, _label(model)


def test_the_dashboard_is_the_persons_own(household):
    alice, _ = household
    _conflict(alice)
    client = _login("bob")
    assert client.get(f"/admin/audible_sync/dashboard/{alice.pk}/").status_code == 403
    own = client.get("/admin/audible_sync/dashboard/")
    assert own.status_code == 200
    assert b"Fellowship of alice" not in own.content
    assert b"alice" not in own.content


# --------------------------------------------------------------------------- the owner


@pytest.mark.parametrize(("model", "model_admin"), OWNED, ids=[_label(m) for m, _ in OWNED])
def test_the_owner_sees_and_opens_their_rows(household, model, model_admin):
    alice, _ = household
    obj = SAMPLES[model](alice)
    client = _login("alice")
    page = client.get(_url(model, "changelist"))
    assert page.status_code == 200
    assert page.context["cl"].full_result_count == 1
    user = User.objects.get(username="alice")
    for name, needs in (("change", "view"), ("history", "view"), ("delete", "delete")):
        expected = (
            200
            if user.has_perm(f"{model._meta.app_label}.{needs}_{model._meta.model_name}")
            else 403
        )
        answer = client.get(_url(model, name, _object_id(model_admin, obj)))
        assert answer.status_code == expected, (name, answer.status_code)


OWNER_ACTIONS = [
    pytest.param(model, model_admin, action, id=f"{_label(model)}:{action}")
    for model, model_admin in OWNED
    for action in _actions(model_admin)
]


@pytest.mark.parametrize(("model", "model_admin", "action"), OWNER_ACTIONS)
def test_every_action_works_for_the_owner_and_not_for_the_other(
    household, model, model_admin, action
):
    alice, _ = household
    obj = SAMPLES[model](alice)
    object_id = _object_id(model_admin, obj)
    user = User.objects.get(username="alice")
    allowed = action in model_admin.get_actions(_request(user))

    before = _state(alice)
    _post_action(_login("bob"), model, action, [object_id])
    assert _state(alice) == before

    answer = _post_action(_login("alice"), model, action, [object_id])
    assert answer.status_code in (200, 302)
    if allowed:
        assert _state(alice) != before, f"{action} changed nothing for the owner"
    else:
        assert _state(alice) == before


# --------------------------------------------------------------------------- view only


@pytest.fixture
def viewer(db):
    """Staff with every *view* permission of the registered models and nothing else."""
    user = User.objects.create_user("vera", "vera@example.com", PASSWORD, is_staff=True)
    codenames = [f"view_{model._meta.model_name}" for model, _ in REGISTRY]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(("model", "model_admin"), OWNED, ids=[_label(m) for m, _ in OWNED])
def test_view_permission_changes_nothing(viewer, household, model, model_admin):
    obj = SAMPLES[model](viewer)
    object_id = _object_id(model_admin, obj)
    before = _state(viewer)
    client = _login("vera")
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", object_id)).status_code == 200
    for action in _actions(model_admin):
        _post_action(client, model, action, [object_id])
    for name in _custom_urls(model_admin):
        url = reverse(f"admin:{name}", args=[obj.pk])
        for data in ({"action": "ignore"}, {"ignore": "1"}, {"action": "create"}):
            assert client.post(url, data).status_code == 403, (name, data)
    assert client.post(_url(model, "change", object_id), {}).status_code == 403
    assert client.post(_url(model, "delete", object_id), {"post": "yes"}).status_code == 403
    with contextlib.suppress(NoReverseMatch):  # models that cannot be added have no URL
        assert client.post(_url(model, "add"), {}).status_code == 403
    assert _state(viewer) == before


# --------------------------------------------------------------------------- person pages

PERSON_PAGES = [pattern.name for pattern in page_urls(admin.site)]
PAGE_POSTS = (
    {"locale": "us"},
    {"redirect_url": "https://www.amazon.com/ap/maplanding?openid.oa2.authorization_code=x"},
    {"force": "1"},
    {"user": "ALICE", "user_id": "ALICE"},
    {"sync_interval_minutes": "999", "daily_sync_cap": "1", "import_policy": "finished"},
)


def test_person_pages_show_and_change_nothing_of_another_person(household, settings):
    """Connection, settings, sync now and its status: read from the URL conf (not a hand
    list); none takes a person's id, and no query or body makes one act on alice."""
    settings.AUDIBLE_SERVICE_URL = ""  # no gateway: nothing may reach Audible from here
    alice, _ = household
    ConfigFactory(
        user=alice,
        sealed_auth="sealed-blob-of-alice",
        account={"customer_name": "Alice Liddell", "locale": "uk"},
    )
    SyncLogFactory(user=alice, error="the failure sentence of alice")
    before = _state(alice)
    client = _login("bob")
    assert len(PERSON_PAGES) >= 8
    for name in PERSON_PAGES:
        url = reverse(f"admin:{name}")
        for query in ("", f"?user={alice.pk}", f"?after=0&user_id={alice.pk}"):
            page = client.get(url + query)
            assert page.status_code in (200, 302, 405), (name, query, page.status_code)
            text = page.content.decode().lower()
            assert "alice" not in text, (name, query)
            assert "liddell" not in text, (name, query)
        for data in PAGE_POSTS:
            body = {
                key: str(alice.pk) if value == "ALICE" else value for key, value in data.items()
            }
            answer = client.post(url, body, follow=True)
            assert answer.status_code in (200, 403, 405), (name, data, answer.status_code)
            assert "liddell" not in answer.content.decode().lower(), (name, data)
    status = client.get(reverse("admin:audible_sync_sync_status"), {"after": 0}).json()
    theirs = set(AudibleSyncLog.objects.filter(user=alice).values_list("pk", flat=True))
    assert status.get("log_id") not in theirs
    assert _state(alice) == before


def test_person_pages_act_for_the_owner_only_with_the_change_permission(viewer, household):
    ConfigFactory(user=viewer, sealed_auth="sealed-blob-of-vera")
    before = _state(viewer)
    client = _login("vera")
    for name in PERSON_PAGES:
        url = reverse(f"admin:{name}")
        assert client.get(url).status_code in (200, 403), name
        for data in PAGE_POSTS:
            assert client.post(url, data).status_code == 403, (name, data)
    assert _state(viewer) == before
