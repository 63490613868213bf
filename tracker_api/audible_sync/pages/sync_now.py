""" "Sync now" from the dashboard, and the JSON the dashboard polls to show the run going.

The button posts here; :func:`sync.background.start_sync` takes the lock and checks the
limits at once (a refusal is answered on the dashboard: why, and when a sync is allowed), then
runs the sync in the background of this request. The dashboard follows it through
``status/?after=<log id>`` (titles seen / handled, then the result), by a small script or, without
JavaScript, by refreshing itself. ``force`` (past our rate limit) is for operators only: a
person asking for it gets 403, as over the API. Audible's own back-off holds for everyone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseNotAllowed
from django.http import HttpResponseRedirect
from django.http import JsonResponse

from tracker_api.audible_sync.models import SyncTrigger
from tracker_api.audible_sync.pages.common import url
from tracker_api.audible_sync.sync import SyncRefused
from tracker_api.audible_sync.sync.background import progress
from tracker_api.audible_sync.sync.background import start_sync
from tracker_api.core.roles import may_force_sync
from tracker_api.core.signed_in import signed_in_user

FORCE_REFUSED = "Only an operator may bypass the rate limit."


def sync_now(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """POST (``force=1`` for operators): start the person's sync; back to the dashboard."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    force = request.POST.get("force") in ("1", "true", "on")
    if force and not may_force_sync(signed_in_user(request)):
        raise PermissionDenied(FORCE_REFUSED)
    dashboard = url("dashboard", site.name)
    try:
        started = start_sync(signed_in_user(request), trigger=SyncTrigger.MANUAL, force=force)
    except SyncRefused as exc:
        messages.error(request, f"The sync did not start: {exc.message}")
        return HttpResponseRedirect(dashboard)
    return HttpResponseRedirect(f"{dashboard}?sync={started.after_log_id}#dash-sync-now")


def sync_status(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """GET ``?after=<log id>``: the person's newest run after that log (see ``progress``)."""
    raw = request.GET.get("after", "0")
    after = int(raw) if raw.isdigit() else 0
    answer = JsonResponse(progress(signed_in_user(request), after))
    answer["Cache-Control"] = "no-store"
    return answer
