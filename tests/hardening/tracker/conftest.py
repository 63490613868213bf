"""Fixtures of the tracker hardening suite.

A live sandbox and gateway (real HTTP, threads) per module, and a person with real data: a
connected Audible account (a sealed blob from the real external login), a synced library,
books of their own, an open and a resolved conflict, sync logs. A second person owns a book
the first must never see.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import SyncLogFactory
from tests.support.factories import UserFactory
from tests.support.people import token_client  # noqa: F401
from tests.support.stack import sample_items


@pytest.fixture
def wired(settings, stack):
    """The tracker pointed at the live gateway, with short retries, serving localhost too."""
    stack.state.clear_faults()
    stack.state.set_library(sample_items())
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
    stack.point(settings)
    settings.AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S = 1
    yield settings
    stack.state.clear_faults()


@pytest.fixture
def wsgi_app(db):
    """The Django WSGI application gunicorn serves, callable in-process inside the test's
    transaction: like Django's test client, it must not close the connection per request."""
    from django.core.signals import request_finished
    from django.core.signals import request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class World:
    """Two people and the ids the tests poke at."""

    owner: Any
    outsider: Any
    owner_token: str
    outsider_token: str
    blob: str
    book_ids: list[int] = field(default_factory=list)
    outsider_book_id: int = 0
    conflict_ids: list[int] = field(default_factory=list)
    outsider_conflict_id: int = 0
    asins: list[str] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)
    read_ids: list[int] = field(default_factory=list)


def build_world(blob: str) -> World:
    """Owner: connected, one real sync done, own books, conflicts; outsider: a book, a conflict."""
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.sync import run_sync

    owner = UserFactory(username="owner")
    outsider = UserFactory(username="outsider")
    ConfigFactory(user=owner, sealed_auth=blob)
    own_books = [
        BookFactory(user=owner, title="The Hobbit", authors=["J.R.R. Tolkien"]),
        BookFactory(user=owner, title="Dune", authors=["Frank Herbert"], status="reading"),
    ]
    outcome = run_sync(owner, trigger="command", force=True)
    assert outcome.status in ("ok", "partial"), outcome.log.error
    open_conflict = ConflictFactory(
        user=owner,
        candidates=[{"book_id": own_books[0].pk, "title": "The Hobbit", "authors": ["X"]}],
    )
    resolved = ConflictFactory(
        user=owner, status="resolved", resolution="ignored", resolved_by=owner
    )
    outsider_book = BookFactory(user=outsider, title="Outsider's private book")
    outsider_conflict = ConflictFactory(user=outsider)
    asins = list(AudibleBookMapping.objects.filter(user=owner).values_list("asin", flat=True)[:5])
    from tracker_api.books.models import BookRead

    read_ids = list(BookRead.objects.filter(book__user=owner).values_list("pk", flat=True)[:5])
    read_ids.append(BookRead.objects.create(book=outsider_book, status="reading").pk)
    return World(
        owner=owner,
        outsider=outsider,
        owner_token=Token.objects.get_or_create(user=owner)[0].key,
        outsider_token=Token.objects.get_or_create(user=outsider)[0].key,
        blob=blob,
        book_ids=list(owner.books.values_list("pk", flat=True)[:10]),
        outsider_book_id=outsider_book.pk,
        conflict_ids=[open_conflict.pk, resolved.pk],
        outsider_conflict_id=outsider_conflict.pk,
        asins=[*asins, open_conflict.asin],
        run_ids=[outcome.log.pk, SyncLogFactory(user=outsider).pk],
        read_ids=read_ids,
    )


@pytest.fixture
def world(db, wired, sealed) -> World:
    return build_world(sealed)
