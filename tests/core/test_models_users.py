"""Users: ``create_user`` prints the API token as its last word; createsuperuser works."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def create_user(*args: str) -> str:
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_create_user_prints_a_working_token_last():
    output = create_user("carol", "--email", "carol@example.com")
    token = output.split()[-1]
    user = get_user_model().objects.get(username="carol")
    assert user.email == "carol@example.com"
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert Token.objects.get(user=user).key == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/books").status_code == 200


def test_running_it_again_prints_the_same_token():
    first = create_user("dave").split()[-1]
    second = create_user("dave", "--staff")
    assert second.split()[-1] == first
    assert "already exists" in second
    assert get_user_model().objects.get(username="dave").is_staff


def test_it_refuses_a_bad_email():
    with pytest.raises(CommandError, match="not an email"):
        create_user("erin", "--email", "nope")


def test_createsuperuser_works_non_interactively(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-42")
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "root@example.com",
        stdout=StringIO(),
    )
    root = get_user_model().objects.get(username="root")
    assert root.is_superuser
    assert root.check_password("a-long-enough-password-42")
