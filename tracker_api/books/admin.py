"""The catalogue in the admin: find a person's books quickly; ``search_text`` stays derived.

Status, percent and dates edited here go to the book's reads (``reading.person_edit``), and
reads edited inline are summarised onto the book again, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from tracker_api.books import reading
from tracker_api.books.admin_forms import BookAdminForm
from tracker_api.books.credits import credits_text
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.core.owner_admin import OwnerScopedAdmin
from tracker_api.core.owner_admin import OwnerScopedInline


class BookReadInline(OwnerScopedInline):
    model = BookRead
    extra = 0
    fields = ["status", "started_at", "finished_at", "percent", "source"]


@admin.register(Book)
class BookAdmin(OwnerScopedAdmin):
    form = BookAdminForm
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
    # series and contributors (narrators) too: "narnia" finds The Chronicles of Narnia's books
    search_fields = [
        "title",
        "search_text",
        "series",
        "contributors",
        "isbn13",
        "isbn10",
        "asin",
        "user__username",
    ]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["user"]
    inlines = [BookReadInline]
    fieldsets = [
        (None, {"fields": ["user", "title", "subtitle", "authors", "contributors"]}),
        ("Identifiers", {"fields": ["isbn13", "isbn10", "asin", "goodreads_id"]}),
        ("Work", {"fields": ["series", "series_position", "language", "year", "pages"]}),
        (
            "Reading",
            {"fields": ["status", "progress_percent", "started_at", "finished_at", "source"]},
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Book, form: Any, change: bool) -> None:
        edit = {name: form.cleaned_data[name] for name in reading.BOOK_FIELDS}
        if not change:
            super().save_model(request, obj, form, change)
            for read in reading.reads_for_new_book(obj):
                read.save()
            return
        moved = {name: value for name, value in edit.items() if name in form.changed_data}
        if moved:
            current = Book.objects.get(pk=obj.pk)
            for name in moved:
                setattr(obj, name, getattr(current, name))
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if moved:
                reading.person_edit(obj, moved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            reading.refresh_book(form.instance)

    @admin.display(description="Authors")
    def author_names(self, book: Book) -> str:
        """The authors, then anyone else credited with their role ("; with ... (illustrator)")."""
        return credits_text(book.authors or [], book.contributors)

    @admin.display(description="Series", ordering="series")
    def series_label(self, book: Book) -> str:
        if not book.series:
            return ""
        return f"{book.series} #{book.series_position}" if book.series_position else book.series
