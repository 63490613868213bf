"""Every tracker endpoint, read from the URL conf (so a new endpoint is covered automatically).

``api_endpoints()`` walks ``ROOT_URLCONF`` and yields each route under ``/api/`` with the
HTTP methods its view answers; ``admin_pages()`` does the same for the admin site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver

WRITE_METHODS = ("post", "put", "patch", "delete")
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Endpoint:
    template: str  # "/api/books/<pk>"
    methods: tuple[str, ...]
    view: Any

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in _PARAM.finditer(self.template)]

    def path(self, **values: Any) -> str:
        return _PARAM.sub(lambda m: str(values[m.group("name")]), self.template)


def _route(pattern: Any) -> str:
    text = str(pattern.pattern)
    # DRF routers produce regexes: ^books/(?P<pk>[0-9]+)$ -> books/<pk>
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
    return text.lstrip("^").rstrip("$").replace("\\.", ".")


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route(entry))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry), entry.callback


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)  # a ViewSet route: {"get": "list", ...}
    if actions:
        # DRF adds "head" to a ViewSet's actions the first time it answers a request, so the
        # list would depend on which tests ran before; HEAD is GET without a body anyway.
        return tuple(sorted(m for m in actions if m != "head"))
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return ("get",)
    names = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)]
    return tuple(names)


def api_endpoints() -> list[Endpoint]:
    """Each distinct ``/api/...`` route (format-suffix duplicates dropped)."""
    seen: dict[str, Endpoint] = {}
    for route, callback in _walk(get_resolver().url_patterns, "/"):
        if not route.startswith("/api/") or "<format>" in route or "format" in route:
            continue
        seen.setdefault(route, Endpoint(route, _methods(callback), callback))
    return list(seen.values())


def admin_pages() -> list[str]:
    """Admin routes (templates) from the admin site's own URL list."""
    return [
        route for route, _ in _walk(get_resolver().url_patterns, "/") if route.startswith("/admin/")
    ]
