"""What every person page shares: who may open it, its URL names, its template context."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http import HttpResponse
from django.urls import reverse

VIEW_PERMISSION = "audible_sync.view_audibleconfig"
CHANGE_PERMISSION = "audible_sync.change_audibleconfig"

PageView = Callable[[AdminSite, HttpRequest], HttpResponse]


def person_page(site: AdminSite, view: PageView, *, change: bool) -> Callable[..., HttpResponse]:
    """``view`` behind the admin's login (staff) and the person's config permission.

    Reading a page needs ``view_audibleconfig``; anything that changes the connection, starts
    a sync or saves a setting (``change=True``, or any POST) needs ``change_audibleconfig``.
    Both are in the person group; a staff user with view rights only can look, not act.
    """

    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        if (change or request.method not in ("GET", "HEAD")) and not user.has_perm(
            CHANGE_PERMISSION
        ):
            raise PermissionDenied
        request.current_app = site.name
        return view(site, request)

    return site.admin_view(checked)


def may_change(request: HttpRequest) -> bool:
    return bool(request.user.has_perm(CHANGE_PERMISSION))


def url(name: str, site_name: str = "admin") -> str:
    return reverse(f"{site_name}:audible_sync_{name}")


def context(site: AdminSite, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {
        **site.each_context(request),
        "title": title,
        "may_change": may_change(request),
        "connection_url": url("connection", site.name),
        "dashboard_url": url("dashboard", site.name),
        "settings_url": url("settings", site.name),
        **extra,
    }
