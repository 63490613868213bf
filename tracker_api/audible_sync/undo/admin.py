"""Undo in the admin: a sync run's "Undo this run…" page and bulk action, and the change log.

* A sync log's page links to a confirmation page listing what the run wrote, per title; its
  button undoes the run (``undo.revert.undo_run``, the REST endpoint's function). The
  changelist has the same as a bulk action, newest run first (so undoing a run and the runs
  after it in one go works). A refusal is shown as its sentence.
* The change log (change sets with their records) is read-only.

Undoing needs the ``undo_audiblesynclog`` permission (people have it for their own runs);
the view permission alone changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from typing import ClassVar

from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils.html import format_html

from tracker_api.audible_sync.undo import revert
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.audible_sync.undo.records import ChangeRecord
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.core.owner_admin import OwnerScopedAdmin
from tracker_api.core.owner_admin import OwnerScopedInline

UNDO_PERMISSION = "audible_sync.undo_audiblesynclog"
CONFIRM_LIMIT = 200


def _undo_message(log: Any, outcome: revert.RevertOutcome) -> str:
    return (
        f"Run {log.pk} undone: {len(outcome.books_restored)} book(s) put back, "
        f"{len(outcome.books_deleted)} created book(s) removed, {outcome.reads_deleted} read(s) "
        f"removed, {outcome.reads_restored} read(s) put back."
    )


class RunUndoAdminMixin:
    """Mixed into the sync log's admin: the undo page, its URL and the bulk action."""

    actions: Sequence[Any] | None = ("undo_selected_runs",)
    change_form_template: ClassVar[Any] = "admin/audible_sync/audiblesynclog/change_form.html"

    def has_undo_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(UNDO_PERMISSION))

    def get_urls(self) -> list[Any]:
        undo = self.admin_site.admin_view(self.undo_view)  # type: ignore[attr-defined]
        return [
            path("<id:pk>/undo/", undo, name="audible_sync_audiblesynclog_undo"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def undo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: what the run wrote, and a button; POST: undo it."""
        if not self.has_undo_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).select_related("user")  # type: ignore[attr-defined]
        log = get_object_or_404(queryset, pk=pk)
        back = reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk])
        if request.method == "POST":
            try:
                outcome = revert.undo_run(log.user, log.pk, by=request.user)
            except revert.UndoRefused as exc:
                self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
            else:
                self.message_user(request, _undo_message(log, outcome))  # type: ignore[attr-defined]
            return HttpResponseRedirect(back)
        records = ChangeRecord.objects.filter(
            change_set__sync_log=log, change_set__kind=ChangeKind.SYNC, reverted_by__isnull=True
        ).order_by("id")
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": f"Undo sync run {log.pk}?",
            "log": log,
            "records": list(records[:CONFIRM_LIMIT]),
            "record_count": records.count(),
            "back_url": back,
            "opts": log._meta,
        }
        return TemplateResponse(request, "admin/audible_sync/audiblesynclog/undo.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if self.has_undo_permission(request):
            context["undo_url"] = reverse(
                "admin:audible_sync_audiblesynclog_undo", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context=context)  # type: ignore[misc]

    @admin.action(description="Undo selected runs (newest first)", permissions=["undo"])
    def undo_selected_runs(self, request: HttpRequest, queryset: QuerySet) -> None:
        for log in queryset.select_related("user").order_by("-started_at", "-id"):
            try:
                outcome = revert.undo_run(log.user, log.pk, by=request.user)
            except revert.UndoRefused as exc:
                self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
            else:
                self.message_user(request, _undo_message(log, outcome))  # type: ignore[attr-defined]


class ChangeRecordInline(OwnerScopedInline):
    model = ChangeRecord
    fk_name = "change_set"
    extra = 0
    can_delete = False
    fields = ("asin", "title", "book_pk", "mapping_pk", "pretty_data", "reverted_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Rows before and after")
    def pretty_data(self, record: ChangeRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(record.data, indent=1, sort_keys=True))


@admin.register(ChangeSet)
class ChangeSetAdmin(OwnerScopedAdmin):
    """The change log: read-only, what each sync run, link, undo and revert wrote."""

    list_display = ["id", "created_at", "user", "kind", "sync_log", "asin", "summary"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["asin", "summary", "records__title"]
    inlines = [ChangeRecordInline]
    fields = ("user", "kind", "sync_log", "asin", "by", "reverts", "summary", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        results, _ = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False
