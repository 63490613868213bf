"""The catalogue in the admin: find a person's books quickly; ``search_text`` stays derived."""

from __future__ import annotations

from django.contrib import admin

from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.core.owner_admin import OwnerScopedAdmin
from tracker_api.core.owner_admin import OwnerScopedInline


class BookReadInline(OwnerScopedInline):
    model = BookRead
    extra = 0
    fields = ["status", "started_at", "finished_at"]


@admin.register(Book)
class BookAdmin(OwnerScopedAdmin):
    list_display = [
        "title",
        "author_names",
        "series_label",
        "year",
        "status",
        "progress_percent",
        "source",
        "user",
        "updated_at",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["user"]
    search_fields = ["title", "search_text", "isbn13", "isbn10", "asin", "user__username"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["user"]
    inlines = [BookReadInline]
    fieldsets = [
        (None, {"fields": ["user", "title", "subtitle", "authors"]}),
        ("Identifiers", {"fields": ["isbn13", "isbn10", "asin", "goodreads_id"]}),
        ("Work", {"fields": ["series", "series_position", "language", "year", "pages"]}),
        (
            "Reading",
            {"fields": ["status", "progress_percent", "started_at", "finished_at", "source"]},
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Authors")
    def author_names(self, book: Book) -> str:
        return ", ".join(book.authors or []) or "—"

    @admin.display(description="Series", ordering="series")
    def series_label(self, book: Book) -> str:
        if not book.series:
            return ""
        return f"{book.series} #{book.series_position}" if book.series_position else book.series
