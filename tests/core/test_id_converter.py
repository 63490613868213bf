"""Every URL that takes a number takes it as ``<id:>``: an id no row can have is a 404, never
SQLite's OverflowError. Walks the whole URL conf, so a new route with ``<int:>`` fails here."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls.converters import IntConverter

from tracker_api.core.converters import DatabaseIdConverter


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def test_no_route_of_ours_takes_an_unbounded_int():
    offenders = []
    ours = 0
    for route, pattern in _patterns(get_resolver()):
        module = getattr(pattern.callback, "__module__", "") or ""
        converters = getattr(pattern.pattern, "converters", {})
        if not module.startswith("tracker_api") and "admin" not in route:
            continue
        for converter in converters.values():
            if isinstance(converter, DatabaseIdConverter):
                ours += 1
            elif isinstance(converter, IntConverter):
                offenders.append(route)
    assert offenders == []
    assert ours > 10  # the walk really saw the id routes


def test_an_id_past_64_bits_is_a_404(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x-long-password")
    client.force_login(user)
    answer = client.get(f"/api/household/questions/{2**80}/answer")
    assert answer.status_code == 404
