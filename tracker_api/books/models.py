"""The catalogue: one row per book a person tracks, and one row per time they read it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from tracker_api.books.text import search_text


class BookStatus(models.TextChoices):
    WANT_TO_READ = "want_to_read", "Want to read"
    READING = "reading", "Reading"
    READ = "read", "Read"
    DID_NOT_FINISH = "did_not_finish", "Did not finish"


class BookSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    GOODREADS = "goodreads", "Goodreads import"
    STORYGRAPH = "storygraph", "StoryGraph import"
    AUDIBLE = "audible", "Audible"


class ReadStatus(models.TextChoices):
    READING = "reading", "Reading"
    READ = "read", "Read"
    DID_NOT_FINISH = "did_not_finish", "Did not finish"


class ReadSource(models.TextChoices):
    """Who recorded a read: the Audible sync (or a link), an import file, or the person."""

    AUDIBLE = "audible", "Audible"
    IMPORT = "import", "Import"
    MANUAL = "manual", "By hand"


class Book(models.Model):
    """A book in one person's catalogue.

    Identifiers are stored normalised (ISBNs as digits, ``X`` allowed as the ISBN-10 check
    character) and empty when unknown. ``search_text`` is derived from title and authors on every
    save; code that writes in bulk must call :meth:`refresh_search_text` itself.
    """

    # No index of its own: every composite index below leads with user, and serves it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="books", db_index=False
    )
    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True, default="")
    authors = models.JSONField(default=list, blank=True, help_text="Author names, in order.")
    contributors = models.JSONField(
        default=list,
        blank=True,
        help_text='Others credited, not as authors: [{"name": ..., "role": "illustrator"}]; '
        'role "" when the source does not say.',
    )
    isbn10 = models.CharField(max_length=10, blank=True, default="")
    isbn13 = models.CharField(max_length=13, blank=True, default="")
    asin = models.CharField(max_length=20, blank=True, default="")
    goodreads_id = models.CharField(
        max_length=32, blank=True, default="", help_text="Goodreads 'Book Id'; unique per user."
    )
    series = models.CharField(max_length=300, blank=True, default="")
    series_position = models.CharField(
        max_length=20, blank=True, default="", help_text='Position as written, e.g. "2" or "2.5".'
    )
    language = models.CharField(max_length=35, blank=True, default="")
    year = models.SmallIntegerField(null=True, blank=True, help_text="Negative for BCE.")
    pages = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=BookStatus.choices, default=BookStatus.WANT_TO_READ
    )
    progress_percent = models.FloatField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=BookSource.choices, default=BookSource.MANUAL)
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "books"
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["user", "status"], name="books_user_status"),
            models.Index(fields=["user", "isbn13"], name="books_user_isbn13"),
            models.Index(fields=["user", "asin"], name="books_user_asin"),
            models.Index(fields=["user", "title"], name="books_user_title"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "goodreads_id"],
                condition=~Q(goodreads_id=""),
                name="books_unique_goodreads_id_per_user",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0) & Q(progress_percent__lte=100),
                name="books_progress_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookStatus.values), name="books_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=BookSource.values), name="books_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "authors"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """Recompute the normalised search column from title and authors."""
        self.search_text = search_text(self.title, self.authors or [])


class BookRead(models.Model):
    """One reading (or listening) of a book: the record the book's status is derived from.

    ``started_at`` empty means "unknown" (a reading first seen in progress), ``finished_at``
    empty on an open (``reading``) read means not finished yet. At most one read per book is
    open. ``tracker_api.books.reading`` keeps the book's status, percent and dates consistent
    with its reads; a re-read is a second row.
    """

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reads")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReadStatus.choices, default=ReadStatus.READING)
    percent = models.FloatField(default=0)
    source = models.CharField(max_length=10, choices=ReadSource.choices, default=ReadSource.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "book_reads"
        ordering = ["book", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReadStatus.values), name="book_reads_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="book_reads_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ReadSource.values), name="book_reads_source_valid"
            ),
            models.UniqueConstraint(
                fields=["book"],
                condition=Q(status="reading"),
                name="book_reads_one_open_per_book",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} ({self.get_status_display()})"
