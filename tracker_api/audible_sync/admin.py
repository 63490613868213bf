"""The admin where people resolve Audible conflicts, beets-style, and look after the sync.

* Conflicts: the Audible title, author and narrator; the best candidate with its similarity as
  a coloured badge (green strong, amber medium, red low) and what disagrees ("≠ series
  position, year"). The conflict page lays the Audible item beside every ranked candidate,
  field by field with the matcher's reasons, with one-click actions: link to this candidate,
  search and link another book, create a new book, ignore. Every action goes through
  :mod:`tracker_api.audible_sync.linking`, so the admin and the API follow the same rules.
* Mappings (relink, ignore), sync logs and progress history (read-only), and configs (the
  sealed credentials are never shown, not even read-only: "connected: yes/no" instead).

Every changelist reads what it shows from the row itself or one join
(``list_select_related``), so its query count does not grow with the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib import messages
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
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from tracker_api.audible_sync import linking
from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync.dashboard import site as dashboard_site
from tracker_api.audible_sync.dashboard.chart import hours_minutes
from tracker_api.audible_sync.dashboard.views import dashboard_url
from tracker_api.audible_sync.display import change_rows
from tracker_api.audible_sync.display import confidence_text
from tracker_api.audible_sync.display import percent_text
from tracker_api.audible_sync.display import status_text
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.pages.forms import PreferencesForm
from tracker_api.audible_sync.presentation import TIER_COLOURS
from tracker_api.audible_sync.presentation import bulk_linkable
from tracker_api.audible_sync.presentation import candidate_view
from tracker_api.audible_sync.presentation import differs_text
from tracker_api.audible_sync.presentation import field_rows
from tracker_api.audible_sync.undo.admin import RunUndoAdminMixin
from tracker_api.books.models import Book
from tracker_api.books.search import search_books
from tracker_api.core.branding import brand
from tracker_api.core.owner_admin import OwnerScopedAdmin
from tracker_api.core.signed_in import signed_in_user

ADMIN_CSS = {"all": ["audible_sync/admin.css"]}
SEARCH_LIMIT = 15
READ_ONLY_CONTEXT = {
    "show_save": False,
    "show_save_and_continue": False,
    "show_save_and_add_another": False,
}


def similarity_badge(similarity: float | None, tier: str) -> str:
    """``<span class="audible-badge audible-badge-green">88 %</span>``; no candidate: "none"."""
    if similarity is None:
        return format_html('<span class="audible-badge audible-badge-red">{}</span>', "none")
    return format_html(
        '<span class="audible-badge audible-badge-{}" title="{}">{}</span>',
        TIER_COLOURS[tier],
        tier,
        confidence_text(similarity),
    )


def _names(values: Any) -> str:
    return ", ".join(str(v) for v in values or []) or "—"


def _best(conflict: AudibleConflict) -> dict[str, Any] | None:
    candidates = conflict.candidates or []
    return candidate_view(candidates[0]) if candidates else None


# --- conflicts ---------------------------------------------------------------------------------


class ConflictStatusFilter(admin.SimpleListFilter):
    """Open by default (what people come for); Resolved and All one click away.

    It keeps the ``status__exact`` parameter of Django's own field filter, so links such as the
    dashboard's ``?status__exact=open`` go on working.
    """

    title = "status"
    parameter_name = "status__exact"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*ConflictStatus.choices, (self.ALL, "All")]

    def value(self) -> str:
        return super().value() or ConflictStatus.OPEN

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class NoBulkDeleteMixin:
    """No "Delete selected" action: these rows are a record (or a decision still to make)."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


@admin.register(AudibleConflict)
class AudibleConflictAdmin(NoBulkDeleteMixin, OwnerScopedAdmin):
    list_display = [
        "audible_title",
        "audible_authors",
        "audible_narrators",
        "best_candidate",
        "best_similarity",
        "disagreements",
        "recommendation",
        "status",
        "user",
        "created_at",
    ]
    list_display_links = ["audible_title"]
    list_filter = [ConflictStatusFilter, "recommendation", "resolution"]
    list_select_related = ["user", "resolved_by"]
    search_fields = [
        "asin",
        "user__username",
        "item__title",
        "item__series",
        "item__narrators",
        "item__authors",
    ]
    ordering = ["-created_at", "-id"]
    actions = ["link_best_candidates", "ignore_selected"]
    readonly_fields = [
        "user",
        "asin",
        "status",
        "recommendation",
        "resolution",
        "resolved_book",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    fields = tuple(readonly_fields)
    change_form_template = "admin/audible_sync/audibleconflict/change_form.html"

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # conflicts are opened by the sync, never by hand

    @admin.display(description="Audible title", ordering="item__title")
    def audible_title(self, conflict: AudibleConflict) -> str:
        return str((conflict.item or {}).get("title") or conflict.asin)

    @admin.display(description="Author")
    def audible_authors(self, conflict: AudibleConflict) -> str:
        return _names((conflict.item or {}).get("authors"))

    @admin.display(description="Narrator")
    def audible_narrators(self, conflict: AudibleConflict) -> str:
        return _names((conflict.item or {}).get("narrators"))

    @admin.display(description="Best candidate")
    def best_candidate(self, conflict: AudibleConflict) -> str:
        best = _best(conflict)
        if best is None:
            return "—"
        return format_html("{} <small>({})</small>", best["title"], _names(best["authors"]))

    @admin.display(description="Similarity")
    def best_similarity(self, conflict: AudibleConflict) -> str:
        best = _best(conflict)
        if best is None:
            return similarity_badge(None, "low")
        return similarity_badge(best["similarity"], best["tier"])

    @admin.display(description="Disagrees")
    def disagreements(self, conflict: AudibleConflict) -> str:
        best = _best(conflict)
        return differs_text(best["differs"]) if best else ""

    # one-click resolutions ----------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        resolve = self.admin_site.admin_view(self.resolve_view)
        return [
            path("<id:pk>/resolve/", resolve, name="audible_sync_audibleconflict_resolve"),
            *super().get_urls(),
        ]

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST ``action`` (link / create / ignore) and ``book_id`` for link."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        conflict = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        if not self.has_change_permission(request, conflict):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            outcome = linking.resolve_conflict(
                conflict.pk,
                action,
                user=conflict.user,
                by=signed_in_user(request),
                book_id=request.POST.get("book_id") or None,
            )
        except linking.LinkingError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(conflict.pk))
        self.message_user(request, _outcome_message(conflict, outcome), messages.SUCCESS)
        return HttpResponseRedirect(self._next_url(request, conflict))

    def _change_url(self, pk: int) -> str:
        return reverse("admin:audible_sync_audibleconflict_change", args=[pk])

    def _next_url(self, request: HttpRequest, resolved: AudibleConflict) -> str:
        """The next open conflict of the same person, else that person's dashboard."""
        following = (
            AudibleConflict.objects.filter(user_id=resolved.user_id, status=ConflictStatus.OPEN)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if following is not None:
            return self._change_url(following)
        own = resolved.user_id == signed_in_user(request).pk
        return dashboard_url(None if own else resolved.user_id, self.admin_site.name)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        conflict = self.get_object(request, object_id)
        context = {**READ_ONLY_CONTEXT, **(extra_context or {})}
        if conflict is not None:
            context.update(self._comparison_context(request, conflict))
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _comparison_context(self, request: HttpRequest, conflict: AudibleConflict) -> dict:
        item = conflict.item or {}
        views = [candidate_view(c) for c in conflict.candidates or []]
        ids = [v["book_id"] for v in views if v["book_id"] is not None]
        books = Book.objects.filter(user_id=conflict.user_id, pk__in=ids).in_bulk()
        candidates = [
            {
                **view,
                "rank": rank,
                "badge": similarity_badge(view["similarity"], view["tier"]),
                "differs_text": differs_text(view["differs"]),
                "book": books.get(view["book_id"]),
                "rows": field_rows(item, books.get(view["book_id"]), view["penalties"]),
            }
            for rank, view in enumerate(views, start=1)
        ]
        query = request.GET.get("q", "").strip()
        results = search_books(conflict.user, query, limit=SEARCH_LIMIT) if query else []
        progress = item.get("progress") if isinstance(item.get("progress"), dict) else {}
        return {
            "conflict": conflict,
            "item": item,
            "item_rows": field_rows(item, None, {}),
            "item_progress": progress,
            "candidates": candidates,
            "search_query": query,
            "search_results": results,
            "resolve_url": reverse(
                "admin:audible_sync_audibleconflict_resolve", args=[conflict.pk]
            ),
            "is_open": conflict.status == ConflictStatus.OPEN,
        }

    # bulk actions ---------------------------------------------------------------------------

    @admin.action(
        description="Link selected to their best candidate (strong or medium only)",
        permissions=["change"],
    )
    def link_best_candidates(self, request: HttpRequest, queryset: QuerySet) -> None:
        """beets' "apply": refused below medium, like beets' ``require``; the tiers are the
        matcher's stored ones (``bulk_linkable``), never recomputed from a score."""
        linked, refused = 0, 0
        for conflict in queryset.filter(status=ConflictStatus.OPEN):
            candidates = conflict.candidates or []
            best = _best(conflict)
            if (
                best is None
                or best["book_id"] is None
                or not bulk_linkable(conflict.recommendation, candidates[0])
            ):
                refused += 1
                continue
            try:
                linking.resolve_conflict(
                    conflict.pk,
                    "link",
                    user=conflict.user,
                    by=signed_in_user(request),
                    book_id=best["book_id"],
                )
            except linking.LinkingError:
                refused += 1
                continue
            linked += 1
        self.message_user(request, f"Linked {linked} conflict(s) to their best candidate.")
        if refused:
            self.message_user(
                request,
                f"Left {refused} conflict(s) open: their best candidate is too weak "
                "(or gone); open each to decide.",
                messages.WARNING,
            )

    @admin.action(description="Ignore selected (not mine)", permissions=["change"])
    def ignore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for conflict in queryset.filter(status=ConflictStatus.OPEN):
            try:
                linking.resolve_conflict(
                    conflict.pk, "ignore", user=conflict.user, by=signed_in_user(request)
                )
            except linking.LinkingError:
                continue
            done += 1
        self.message_user(request, f"Ignored {done} conflict(s).")


def _item_title(row: Any) -> str:
    """The Audible title of a mapping or conflict (its ASIN only when it has none)."""
    return str((row.item or {}).get("title") or row.asin)


def _outcome_message(conflict: AudibleConflict, outcome: linking.LinkOutcome) -> str:
    title = _item_title(conflict)
    if outcome.book is None:
        return f'"{title}" is ignored (not mine).'
    verb = "Created" if outcome.created_book else "Linked to"
    progress = " Progress applied." if outcome.progress_applied else ""
    return f'"{title}": {verb} "{outcome.book.title}".{progress}'


# --- mappings ----------------------------------------------------------------------------------


@admin.register(AudibleBookMapping)
class AudibleBookMappingAdmin(OwnerScopedAdmin):
    list_display = [
        "audible_title",
        "book",
        "match_method",
        "confidence_shown",
        "ignored",
        "last_percent_shown",
        "user",
        "last_seen_at",
    ]
    list_display_links = ["audible_title"]
    list_filter = ["match_method", "ignored", "in_library"]
    list_select_related = ["user", "book"]
    search_fields = [
        "asin",
        "book__title",
        "book__series",
        "user__username",
        "item__title",
        "item__series",
        "item__narrators",
        "item__authors",
    ]
    actions = ["ignore_selected"]
    readonly_fields = [
        "user",
        "asin",
        "book",
        "match_method",
        "confidence",
        "ignored",
        "in_library",
        "last_percent",
        "last_is_finished",
        "last_position_ms",
        "last_finished_at",
        "last_seen_at",
        "created_at",
        "updated_at",
    ]
    fields = tuple(readonly_fields)
    change_form_template = "admin/audible_sync/audiblebookmapping/change_form.html"

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # mappings come from syncs and from linking

    @admin.display(description="Audible title", ordering="item__title")
    def audible_title(self, mapping: AudibleBookMapping) -> str:
        return str((mapping.item or {}).get("title") or mapping.asin)

    @admin.display(description="Confidence", ordering="confidence")
    def confidence_shown(self, mapping: AudibleBookMapping) -> str:
        return confidence_text(mapping.confidence)

    @admin.display(description="Listened", ordering="last_percent")
    def last_percent_shown(self, mapping: AudibleBookMapping) -> str:
        return percent_text(mapping.last_percent)

    def get_urls(self) -> list[Any]:
        relink = self.admin_site.admin_view(self.relink_view)
        return [
            path("<id:pk>/relink/", relink, name="audible_sync_audiblebookmapping_relink"),
            *super().get_urls(),
        ]

    def relink_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST ``book_id`` to move the mapping, or ``ignore=1`` to mark it not mine;
        ``revert=1`` also reverts what the old link wrote to the book it leaves."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mapping = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        if not self.has_change_permission(request, mapping):
            raise PermissionDenied
        revert = bool(request.POST.get("revert"))
        try:
            if request.POST.get("ignore"):
                outcome = linking.ignore_asin(
                    mapping.user, mapping.asin, by=signed_in_user(request), revert=revert
                )
                self.message_user(request, f'"{_item_title(mapping)}" is ignored (not mine).')
            else:
                outcome = linking.link_asin(
                    mapping.user,
                    mapping.asin,
                    request.POST.get("book_id"),
                    by=signed_in_user(request),
                    revert=revert,
                )
                book = outcome.book.title if outcome.book else "—"
                self.message_user(request, f'"{_item_title(mapping)}" now links to "{book}".')
            if outcome.reverted is not None:
                self.message_user(request, f"{outcome.reverted.change_set.summary}")
        except linking.LinkingError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:audible_sync_audiblebookmapping_change", args=[pk])
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        mapping = self.get_object(request, object_id)
        context = {**READ_ONLY_CONTEXT, **(extra_context or {})}
        if mapping is not None:
            query = request.GET.get("q", "").strip()
            context.update(
                {
                    "mapping": mapping,
                    "item_rows": field_rows(mapping.item or {}, mapping.book, {}),
                    "search_query": query,
                    "search_results": search_books(mapping.user, query, limit=SEARCH_LIMIT)
                    if query
                    else [],
                    "relink_url": reverse(
                        "admin:audible_sync_audiblebookmapping_relink", args=[mapping.pk]
                    ),
                    "offer_revert": mapping.book_id is not None,
                }
            )
        return super().change_view(request, object_id, form_url, extra_context=context)

    @admin.action(description="Mark selected as not mine (ignore)", permissions=["change"])
    def ignore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for mapping in queryset.select_related("user"):
            linking.ignore_asin(mapping.user, mapping.asin, by=signed_in_user(request))
            count += 1
        self.message_user(request, f"Ignored {count} title(s).")


# --- read-only records -------------------------------------------------------------------------


class ReadOnlyAdmin(OwnerScopedAdmin):
    """Rows the pipeline writes: viewable, never edited or added by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


STATUS_COLOURS = {
    "ok": "green",
    "partial": "amber",
    "failed": "red",
    "skipped": "grey",
    "running": "blue",
}


@admin.register(AudibleSyncLog)
class AudibleSyncLogAdmin(NoBulkDeleteMixin, RunUndoAdminMixin, ReadOnlyAdmin):
    list_display = [
        "started_at",
        "user",
        "trigger",
        "status_badge",
        "dry_run",
        "duration",
        "items_seen",
        "linked",
        "created",
        "updated",
        "conflicts_opened",
        "errors",
    ]
    list_filter = ["status", "trigger", "dry_run"]
    list_select_related = ["user"]
    search_fields = ["user__username", "error"]
    date_hierarchy = "started_at"
    # ``changes`` is shown as a table by the change form template, never as JSON.
    readonly_fields = [
        "user",
        "trigger",
        "status_badge",
        "started_at",
        "finished_at",
        "duration",
        "dry_run",
        "counts",
        "audible_requests",
        "error",
    ]
    fields = tuple(readonly_fields)

    class Media:
        css = ADMIN_CSS

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        log = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if log is not None:
            context["change_rows"] = change_rows(log.changes)
        return super().change_view(request, object_id, form_url, extra_context=context)

    @admin.display(description="Counts")
    def counts(self, log: AudibleSyncLog) -> str:
        return (
            f"{log.items_seen} seen · {log.linked} linked · {log.created} created · "
            f"{log.updated} updated · {log.conflicts_opened} conflicts · {log.skipped} skipped"
            f" · {log.errors} errors"
        )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, log: AudibleSyncLog) -> str:
        return format_html(
            '<span class="audible-badge audible-badge-{}">{}</span>',
            STATUS_COLOURS.get(log.status, "grey"),
            log.get_status_display(),
        )

    @admin.display(description="Duration", ordering="duration_ms")
    def duration(self, log: AudibleSyncLog) -> str:
        return "—" if log.duration_ms is None else f"{log.duration_ms / 1000:.1f} s"


@admin.register(AudibleProgressHistory)
class AudibleProgressHistoryAdmin(NoBulkDeleteMixin, ReadOnlyAdmin):
    list_display = [
        "recorded_at",
        "user",
        "asin",
        "book",
        "change",
        "is_finished",
        "status_change",
        "source",
    ]
    list_filter = ["source", "is_finished"]
    list_select_related = ["user", "book"]
    search_fields = ["asin", "book__title", "user__username"]
    date_hierarchy = "recorded_at"

    @admin.display(description="Percent")
    def change(self, row: AudibleProgressHistory) -> str:
        return f"{percent_text(row.previous_percent, 1)} → {percent_text(row.percent, 1)}"

    @admin.display(description="Status")
    def status_change(self, row: AudibleProgressHistory) -> str:
        if row.status_before == row.status_after:
            return status_text(row.status_after)
        return f"{status_text(row.status_before)} → {status_text(row.status_after)}"


# --- config ------------------------------------------------------------------------------------


class AudibleConfigForm(PreferencesForm):
    """The same rules and sentences as the API (its serializer validates), as the person's own
    settings page (``pages/settings_page.py``)."""


@admin.register(AudibleConfig)
class AudibleConfigAdmin(OwnerScopedAdmin):
    """Sync preferences. ``sealed_auth`` (and the lock token) are in no list, form or page."""

    form = AudibleConfigForm
    list_display = [
        "user",
        "connected",
        "needs_relogin",
        "enabled",
        "auto_sync",
        "sync_interval_minutes",
        "daily_sync_cap",
        "import_policy",
        "last_sync_at",
        "dashboard",
    ]
    list_filter = ["enabled", "auto_sync", "needs_relogin", "import_policy"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = [
        "user",
        "dashboard",
        "connected",
        "account_summary",
        "enabled",
        "auto_sync",
        "sync_interval_minutes",
        "daily_sync_cap",
        "import_policy",
        "import_podcasts",
        "needs_relogin",
        "connected_at",
        "last_sync_at",
        "next_sync_at",
        "rate_limited_until",
        "consecutive_failures",
    ]
    readonly_fields = [
        "user",
        "dashboard",
        "connected",
        "account_summary",
        "needs_relogin",
        "connected_at",
        "last_sync_at",
        "next_sync_at",
        "rate_limited_until",
        "consecutive_failures",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a config is made by connecting (POST /api/audible/auth)

    def save_model(
        self, request: HttpRequest, obj: AudibleConfig, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if "sync_interval_minutes" in form.changed_data:
            ratelimit.reschedule(obj)

    @admin.display(description="Connected", boolean=True)
    def connected(self, config: AudibleConfig) -> bool:
        return config.is_connected

    @admin.display(description="Dashboard")
    def dashboard(self, config: AudibleConfig) -> str:
        url = reverse(f"{self.admin_site.name}:audible_sync_dashboard_user", args=[config.user_id])
        return format_html('<a href="{}">Open the dashboard</a>', url)

    @admin.display(description="Account")
    def account_summary(self, config: AudibleConfig) -> str:
        account = config.account or {}
        facts = [
            ("Name", account.get("customer_name")),
            ("Marketplace", account.get("locale")),
            ("Device", account.get("device_name")),
        ]
        shown = [(label, value) for label, value in facts if value]
        if not shown:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}: {}", shown)


# The per-person dashboard (health, syncs, conflicts, time listened, books finished).
dashboard_site.install(admin.site)
brand(admin.site)


@admin.register(AudibleListening)
class AudibleListeningAdmin(ReadOnlyAdmin):
    """Listening time per day and month, as Audible's aggregates said (fetched by the sync)."""

    list_display = ["starts_on", "period", "listened_minutes", "user", "fetched_at"]
    list_filter = ["period"]
    date_hierarchy = "starts_on"

    @admin.display(description="Time listened", ordering="listened_ms")
    def listened_minutes(self, obj: AudibleListening) -> str:
        return hours_minutes(obj.listened_ms)
