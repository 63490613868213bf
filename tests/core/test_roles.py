"""Roles: ``create_user`` makes a person (or an operator); the person group is exact and current."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission
from django.core.management import CommandError
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tracker_api.core import roles
from tracker_api.core.login_links import login_link

pytestmark = pytest.mark.django_db
PASSWORD = "a-household-password-73"


def create_user(*args: str, stdin: str | None = None, monkeypatch=None) -> str:
    out = StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_the_person_group_holds_exactly_the_listed_permissions():
    group = Group.objects.get(name=roles.PERSON_GROUP)
    held = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    assert held == roles.person_permission_names()
    assert ("books", "view_book") in held
    assert not any(app == "auth" for app, _ in held)  # nothing about other people's accounts
    assert ("audible_sync", roles.FORCE_SYNC_CODENAME) not in held


def test_the_group_is_put_back_after_migrate():
    group = Group.objects.get(name=roles.PERSON_GROUP)
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    group.permissions.remove(Permission.objects.get(codename="view_book"))
    roles.sync_person_group()  # what post_migrate runs
    held = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    assert held == roles.person_permission_names()


def test_create_user_makes_a_person_by_default():
    output = create_user("alice")
    user = get_user_model().objects.get(username="alice")
    assert output.split()[-1] == Token.objects.get(user=user).key
    assert "(person)" in output
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [roles.PERSON_GROUP]
    assert user.has_perm("audible_sync.change_audibleconflict")
    assert not user.has_perm("auth.view_user")
    assert not roles.may_force_sync(user)
    assert not user.has_usable_password()


def test_staff_is_an_alias_of_the_default():
    create_user("bob", "--staff")
    user = get_user_model().objects.get(username="bob")
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name=roles.PERSON_GROUP).exists()


def test_operator_is_a_superuser_and_stays_one():
    assert "(operator)" in create_user("olga", "--operator")
    create_user("olga")  # running it again without the flag never demotes
    user = get_user_model().objects.get(username="olga")
    assert user.is_superuser
    assert user.is_staff
    assert roles.may_force_sync(user)


def test_an_existing_token_only_user_becomes_a_person():
    first = get_user_model().objects.create_user("tess")
    token = Token.objects.create(user=first)
    output = create_user("tess")
    assert "already exists" in output
    assert output.split()[-1] == token.key
    assert get_user_model().objects.get(username="tess").groups.filter(name="person").exists()


def test_password_from_stdin(monkeypatch, client):
    create_user("alice", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert get_user_model().objects.get(username="alice").check_password(PASSWORD)
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_password_from_an_environment_variable(monkeypatch):
    monkeypatch.setenv("ALICE_PASSWORD", PASSWORD)
    create_user("alice", "--password-env", "ALICE_PASSWORD")
    assert get_user_model().objects.get(username="alice").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--password-env", "NOT_SET_ANYWHERE"], None, "unset or empty"),
        (["--password-stdin"], "", "held no password"),
        (["--password-stdin"], "alice\n", "too similar|too short|too common"),
    ],
)
def test_bad_passwords_are_refused_and_nothing_is_made(monkeypatch, args, stdin, message):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(CommandError, match=message):
        create_user(
            "alice", *args, stdin=stdin if stdin is not None else "", monkeypatch=monkeypatch
        )
    assert not get_user_model().objects.filter(username="alice").exists()


def test_one_time_login_link_sets_the_password_once(client):
    output = create_user("alice", "--login-link", "--base-url", "https://books.example.com/")
    link_line = next(line for line in output.splitlines() if "login link" in line)
    link = link_line.split()[-1]
    assert link.startswith("https://books.example.com/accounts/set-password/")
    assert output.splitlines()[-1].split()[-1] == Token.objects.get(user__username="alice").key

    path = link.removeprefix("https://books.example.com")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert b"new_password1" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/admin/login/"
    assert b"Your password is set" in done.content
    assert get_user_model().objects.get(username="alice").check_password(PASSWORD)

    client.logout()
    again = client.get(path, follow=True)  # used once: the link no longer works
    assert b"new_password1" not in again.content


def test_a_link_for_another_user_id_does_not_work(client):
    create_user("alice")
    create_user("bob")
    alice = get_user_model().objects.get(username="alice")
    bob = get_user_model().objects.get(username="bob")
    forged = login_link(alice).replace(
        login_link(alice).split("/")[3], login_link(bob).split("/")[3]
    )
    page = client.get(forged, follow=True)
    assert b"new_password1" not in page.content
