"""The dashboard's admin view: pick the person, gather the panels, render the template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from tracker_api.audible_sync.dashboard.chart import count_text
from tracker_api.audible_sync.dashboard.chart import nice_ceiling
from tracker_api.audible_sync.dashboard.chart import render_bar_chart
from tracker_api.audible_sync.dashboard.data import build_dashboard
from tracker_api.audible_sync.dashboard.data import picker_users
from tracker_api.audible_sync.pages.common import may_change
from tracker_api.audible_sync.pages.common import url as page_url
from tracker_api.audible_sync.sync.background import progress
from tracker_api.core.roles import may_force_sync
from tracker_api.core.signed_in import signed_in_user

TEMPLATE = "admin/audible_sync/dashboard.html"
SYNC_STATUS_COLOURS = {
    "ok": "green",
    "partial": "amber",
    "failed": "red",
    "skipped": "grey",
    "running": "blue",
}


def dashboard_url(user_id: int | None = None, site_name: str = "admin") -> str:
    if user_id is None:
        return reverse(f"{site_name}:audible_sync_dashboard")
    return reverse(f"{site_name}:audible_sync_dashboard_user", args=[user_id])


def make_dashboard_view(site: AdminSite) -> Callable[..., HttpResponse]:
    """The view for ``site`` (wrap it in ``site.admin_view``: staff only)."""

    def dashboard_view(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
        """Staff see their own dashboard; superusers anyone's (``?user=<id>`` picks)."""
        picked = request.GET.get("user", "")
        if user_id is None and picked.isdigit():
            return HttpResponseRedirect(dashboard_url(int(picked), site.name))
        viewer = signed_in_user(request)
        if user_id is None or user_id == viewer.pk:
            person = viewer
        elif viewer.is_superuser:
            person = get_object_or_404(get_user_model(), pk=user_id)
        else:
            raise PermissionDenied
        request.current_app = site.name
        board = build_dashboard(person)
        own = person.pk == viewer.pk
        context = {
            **site.each_context(request),
            "title": f"Audible dashboard: {person}",
            "board": board,
            "person": person,
            **_charts(board.listened),
            "syncs": [_sync_row(log) for log in board.syncs],
            "picker": _picker(person, viewer) if viewer.is_superuser else None,
            "conflicts_url": _filtered(
                site.name, "audibleconflict", person.id, "status__exact=open"
            ),
            "logs_url": _filtered(site.name, "audiblesynclog", person.id),
            "config_url": _filtered(site.name, "audibleconfig", person.id),
            **(_own_pages(request, site.name) if own else {"own": False}),
            **_notification_panel(person),
        }
        return TemplateResponse(request, TEMPLATE, context)

    return dashboard_view


def _charts(listened: Any) -> dict[str, Any]:
    """The three listening charts (inline SVG) for the template."""
    return {
        "day_chart": render_bar_chart(
            listened.by_day,
            chart_id="chart-days",
            title="Time listened per day, last 30 days",
            empty_text="No listening in the last 30 days",
            label_every=7,
        ),
        "month_chart": render_bar_chart(
            listened.by_month,
            chart_id="chart-months",
            title="Time listened per month, last 12 months",
            empty_text="No listening in the last 12 months",
            label_every=2,
        ),
        "finished_chart": render_bar_chart(
            listened.finished_by_month,
            chart_id="chart-finished",
            title="Books finished per month, last 12 months",
            empty_text="No book finished in the last 12 months",
            fmt=count_text,
            ceiling=lambda top: max(4.0, nice_ceiling(top, (1, 2, 4, 5, 10))),
            label_every=2,
            integer=True,
        ),
    }


def _notification_panel(person: Any) -> dict[str, Any]:
    """Cron health (red when nothing schedules syncs; operators are told once) and the
    person's failing notification channels."""
    from tracker_api.notifications.health import notify_if_stale
    from tracker_api.notifications.models import Channel

    failing = list(
        Channel.objects.filter(user=person, consecutive_failures__gt=0).only(
            "pk", "name", "last_error", "consecutive_failures"
        )[:5]
    )
    return {"cron": notify_if_stale(), "failing_channels": failing}


def _own_pages(request: HttpRequest, site_name: str) -> dict[str, Any]:
    """The person's own dashboard: Sync now, the run it follows, and their pages' links."""
    after = request.GET.get("sync", "")
    following = progress(request.user, int(after)) if after.isdigit() else None
    return {
        "own": True,
        "may_change": may_change(request),
        "may_force": may_force_sync(request.user),
        "sync_now_url": page_url("sync_now", site_name),
        "sync_status_url": page_url("sync_status", site_name),
        "connection_url": page_url("connection", site_name),
        "settings_url": page_url("settings", site_name),
        "following": following,
        "following_after": int(after) if following is not None else None,
        "following_active": bool(following and following["state"] in ("waiting", "running")),
    }


def _sync_row(log: Any) -> dict[str, Any]:
    return {
        "log": log,
        "colour": SYNC_STATUS_COLOURS.get(log.status, "grey"),
        "duration": None if log.duration_ms is None else f"{log.duration_ms / 1000:.1f} s",
    }


def _picker(person: Any, viewer: Any) -> list[dict[str, Any]]:
    people = {user.pk: user for user in picker_users()}
    people.setdefault(viewer.pk, viewer)
    people.setdefault(person.pk, person)
    ordered = sorted(people.values(), key=lambda user: str(user.get_username()).lower())
    return [
        {"id": user.pk, "name": user.get_username(), "selected": user.pk == person.pk}
        for user in ordered
    ]


def _filtered(site_name: str, model: str, user_id: int, extra: str = "") -> str:
    """A changelist of ``model`` narrowed to one person (and ``extra`` filters)."""
    base = reverse(f"{site_name}:audible_sync_{model}_changelist")
    query = f"user__id__exact={user_id}"
    return f"{base}?{extra}&{query}" if extra else f"{base}?{query}"
