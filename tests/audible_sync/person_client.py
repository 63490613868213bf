"""A person (staff, person group, not a superuser) logged in to the admin with a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from tracker_api.core.roles import sync_person_group

PASSWORD = "person-pages-password-73"


def make_person(name: str) -> Any:
    user = get_user_model().objects.create_user(
        name, f"{name}@example.com", PASSWORD, is_staff=True
    )
    user.groups.add(sync_person_group())  # (a transactional test flushed the migration's)
    return user


def logged_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
