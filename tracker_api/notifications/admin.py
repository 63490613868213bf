"""The admin of notifications: a person's channels (with "Send a test"), settings and messages.

Every page is owner-scoped (:class:`OwnerScopedAdmin`). An Apprise URL is entered in a
password field, sealed on save and shown only masked afterwards; leaving the field empty keeps
the URL. A failing channel is marked red in the list (with the scrubbed error), and the list
says how many of the person's channels are failing.
"""

from __future__ import annotations

from typing import Any
from typing import cast

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseNotAllowed
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracker_api.core.owner_admin import OwnerScopedAdmin
from tracker_api.core.owner_admin import OwnerScopedInline
from tracker_api.notifications import channels
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import ChannelKind
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings
from tracker_api.notifications.testing import send_test

ADMIN_CSS = {"all": ["audible_sync/admin.css"]}


class ChannelForm(forms.ModelForm):
    url = forms.CharField(
        label="Apprise URL",
        required=False,
        strip=True,
        max_length=channels.MAX_URL_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80}),
        help_text="For example ntfys://ntfy.sh/your-topic, ntfy://user:password@host/topic, "
        "json://host/path or mailto://user:password@smtp.example.com. Stored sealed and shown "
        "masked; leave empty to keep the current URL.",
    )

    class Meta:
        model = Channel
        fields = ["name", "kind", "url", "email", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        url = data.get("url") or ""
        if kind == ChannelKind.APPRISE:
            if url:
                try:
                    channels.validate_url(url)
                except channels.InvalidChannelURL as exc:
                    self.add_error("url", str(exc))
            elif not self.instance.url_sealed:
                self.add_error("url", "An Apprise channel needs its URL.")
        if kind == ChannelKind.EMAIL and not data.get("email"):
            self.add_error("email", "An e-mail channel needs an address.")
        return data

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        url = self.cleaned_data.get("url") or ""
        if channel.kind == ChannelKind.APPRISE and url:
            channels.store_url(channel, url)
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(OwnerScopedAdmin):
    form = ChannelForm
    list_display = [
        "name",
        "user",
        "kind",
        "target",
        "enabled",
        "status_badge",
        "last_success_at",
        "last_failure_at",
    ]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "email", "user__username"]
    readonly_fields = [
        "target",
        "status_badge",
        "last_success_at",
        "last_failure_at",
        "consecutive_failures",
        "last_error",
    ]
    actions = ["send_test_selected"]

    class Media:
        css = ADMIN_CSS

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        owner = ["user"] if self.is_unscoped(request) else []
        fields = [*owner, "name", "kind", "url", "email", "enabled"]
        return fields + (self.readonly_fields if obj is not None else [])

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["fields"] = [
            f for f in self.get_fields(request, obj) if f not in self.readonly_fields
        ]
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Target")
    def target(self, channel: Channel) -> str:
        return channel.target_label or "—"

    @admin.display(description="Status")
    def status_badge(self, channel: Channel) -> str:
        if channel.failing:
            return format_html(
                '<span class="audible-badge audible-badge-red" title="{}">Failing ({})</span>'
                " <span>{}</span>",
                channel.last_error,
                channel.consecutive_failures,
                channel.last_error[:160],
            )
        if channel.last_success_at:
            return mark_safe('<span class="audible-badge audible-badge-green">Working</span>')
        return mark_safe('<span class="audible-badge audible-badge-grey">Not used yet</span>')

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        failing = self.get_queryset(request).filter(consecutive_failures__gt=0).count()
        if failing and request.method == "GET":
            self.message_user(
                request,
                f"{failing} channel(s) failing: messages to them are retried, then given up. "
                "Open the channel to see the error and press \u201cSend a test\u201d.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[Any]:
        test = self.admin_site.admin_view(self.test_view)
        return [
            path("<id:pk>/test/", test, name="notifications_channel_test"),
            *super().get_urls(),
        ]

    def test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: send a test message to this channel now and say what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        channel = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, channel):
            raise PermissionDenied
        self._report_test(request, channel)
        return HttpResponseRedirect(reverse("admin:notifications_channel_change", args=[pk]))

    def _report_test(self, request: HttpRequest, channel: Channel) -> None:
        outcome = send_test(channel)
        if outcome.delivered:
            self.message_user(
                request,
                f"Test sent to \u201c{channel.name}\u201d; check that it arrived.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"The test to \u201c{channel.name}\u201d failed: {outcome.error}",
                messages.ERROR,
            )

    @admin.action(description="Send a test to the selected channels", permissions=["change"])
    def send_test_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for channel in queryset:
            self._report_test(request, channel)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(OwnerScopedAdmin):
    list_display = [
        "user",
        "relogin_needed",
        "sync_failing",
        "failure_threshold",
        "conflicts_waiting",
        "book_finished",
        "digest_day",
        "quiet_start",
        "quiet_end",
    ]
    fieldsets = [
        (None, {"fields": ["user"]}),
        (
            "Events",
            {
                "fields": [
                    "relogin_needed",
                    "sync_failing",
                    "failure_threshold",
                    "conflicts_waiting",
                    "book_finished",
                    "digest_day",
                ]
            },
        ),
        ("When", {"fields": ["quiet_start", "quiet_end", "time_zone"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.is_unscoped(request):
            return self.fieldsets
        return self.fieldsets[1:]

    def has_add_permission(self, request: HttpRequest) -> bool:
        if not super().has_add_permission(request):
            return False
        if self.is_unscoped(request):
            return True
        return not NotificationSettings.objects.filter(user=cast("User", request.user)).exists()


class DeliveryInline(OwnerScopedInline):
    model = Delivery
    fields = ["label", "status", "attempts", "next_attempt_at", "delivered_at", "last_error"]
    readonly_fields = ["label", "status", "attempts", "next_attempt_at", "delivered_at"]
    readonly_fields += ["last_error"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(OwnerScopedAdmin):
    """The outbox, read-only: what was queued for whom and how each delivery went."""

    list_display = ["created_at", "user", "code", "subject", "delivery_summary"]
    list_filter = ["code"]
    search_fields = ["subject", "body", "user__username"]
    fields = ["user", "code", "subject", "body", "link", "created_at"]
    readonly_fields = ["user", "code", "subject", "body", "link", "created_at"]
    inlines = [DeliveryInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("deliveries")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Deliveries")
    def delivery_summary(self, notification: Notification) -> str:
        rows = list(notification.deliveries.all())
        if not rows:
            return "no channel"
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.get_status_display()] = counts.get(row.get_status_display(), 0) + 1
        return ", ".join(f"{n} {label.lower()}" for label, n in sorted(counts.items()))
