"""The person's own sync settings: interval, daily cap, import policy, auto-sync, podcasts.

Saved through ``preferences.save_preferences``, which validates with the API's serializer: a
value ``PUT /api/audible/config`` refuses is refused here with the same sentence.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from tracker_api.audible_sync import sync_bounds
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.pages.common import context
from tracker_api.audible_sync.pages.common import url
from tracker_api.audible_sync.pages.forms import PreferencesForm
from tracker_api.audible_sync.preferences import PREFERENCE_FIELDS
from tracker_api.audible_sync.preferences import save_preferences
from tracker_api.core.signed_in import signed_in_user

TEMPLATE = "admin/audible_sync/settings.html"


def settings_page(site: AdminSite, request: HttpRequest) -> HttpResponse:
    config = AudibleConfig.objects.filter(user=signed_in_user(request)).first() or AudibleConfig(
        user=signed_in_user(request)
    )
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=config)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in PREFERENCE_FIELDS}
            save_preferences(signed_in_user(request), data, partial=False)
            messages.success(request, "Your sync settings are saved.")
            return HttpResponseRedirect(url("settings", site.name))
    else:
        form = PreferencesForm(instance=config)
    ctx = context(
        site,
        request,
        "Audible sync settings",
        form=form,
        config=config,
        floor=sync_bounds.min_sync_interval_minutes(),
        cap=sync_bounds.max_daily_sync_cap(),
    )
    return TemplateResponse(request, TEMPLATE, ctx)
