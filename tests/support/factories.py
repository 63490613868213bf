"""factory-boy factories for the tracker's models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.books.models import Book


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Book number {n}")
    authors = factory.LazyFunction(lambda: ["Ann Author"])


class ConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudibleConfig

    user = factory.SubFactory(UserFactory)
    sealed_auth = "sealed-blob-for-tests"
    account = factory.LazyFunction(lambda: {"locale": "us", "marketplace": "AF2M0KC94RCEA"})


class MappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudibleBookMapping

    user = factory.SubFactory(UserFactory)
    asin = factory.Sequence(lambda n: f"B0{n:08d}")
    book = None
    match_method = "manual"
    item = factory.LazyAttribute(lambda m: {"asin": m.asin, "title": f"Audible {m.asin}"})


class SyncLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudibleSyncLog

    user = factory.SubFactory(UserFactory)
    trigger = "cron"
    status = "ok"
    started_at = factory.LazyFunction(timezone.now)


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudibleConflict

    user = factory.SubFactory(UserFactory)
    asin = factory.Sequence(lambda n: f"B1{n:08d}")
    item = factory.LazyAttribute(
        lambda c: {"asin": c.asin, "title": f"Conflicted {c.asin}", "authors": ["X"]}
    )


class HistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudibleProgressHistory

    mapping = factory.SubFactory(MappingFactory)
    user = factory.SelfAttribute("mapping.user")
    book = factory.SelfAttribute("mapping.book")
    asin = factory.SelfAttribute("mapping.asin")
    percent = 10.0
