"""Book serializers: ISBNs validated and normalised, progress bounded, identifiers unique."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import serializers

from tracker_api.books import reading
from tracker_api.books.isbn import InvalidIsbn
from tracker_api.books.isbn import clean_isbn
from tracker_api.books.isbn import complete_pair
from tracker_api.books.models import Book
from tracker_api.books.status import implied_by_status
from tracker_api.core.strict import StrictBodyMixin


class BookSerializer(StrictBodyMixin, serializers.ModelSerializer):
    """A book of the signed-in person. ISBNs are stored as digits; give either form and the
    other is filled in where one exists."""

    authors = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=50
    )
    # Others credited, not as authors (illustrators, translators, narrators, editors).
    contributors = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=300)),
        required=False,
        max_length=50,
    )
    isbn10 = serializers.CharField(required=False, allow_blank=True, max_length=20)
    isbn13 = serializers.CharField(required=False, allow_blank=True, max_length=20)
    progress_percent = serializers.FloatField(min_value=0, max_value=100, required=False)
    year = serializers.IntegerField(
        min_value=-9999, max_value=9999, required=False, allow_null=True
    )

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "subtitle",
            "authors",
            "contributors",
            "isbn10",
            "isbn13",
            "asin",
            "goodreads_id",
            "series",
            "series_position",
            "language",
            "year",
            "pages",
            "status",
            "progress_percent",
            "started_at",
            "finished_at",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "source", "created_at", "updated_at"]

    def validate_isbn10(self, value: str) -> str:
        try:
            return clean_isbn(value, "isbn10")
        except InvalidIsbn as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_isbn13(self, value: str) -> str:
        try:
            return clean_isbn(value, "isbn13")
        except InvalidIsbn as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_authors(self, value: list[str]) -> list[str]:
        return [name.strip() for name in value if name.strip()]

    def validate_contributors(self, value: list[dict[str, str]]) -> list[dict[str, str]]:
        """Each entry is ``{"name", "role"}`` (role optional, "" when unknown)."""
        out = []
        for entry in value:
            unknown = set(entry) - {"name", "role"}
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown contributor field(s): {', '.join(sorted(unknown))}."
                )
            name = " ".join(str(entry.get("name") or "").split())
            if not name:
                raise serializers.ValidationError("Every contributor needs a name.")
            out.append({"name": name, "role": str(entry.get("role") or "").strip().lower()})
        return out

    def validate_asin(self, value: str) -> str:
        return value.strip().upper()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Book | None = self.instance
        current = {
            "isbn10": instance.isbn10 if instance else "",
            "isbn13": instance.isbn13 if instance else "",
            "started_at": instance.started_at if instance else None,
            "finished_at": instance.finished_at if instance else None,
        }
        if "isbn10" in attrs or "isbn13" in attrs:
            isbn10 = attrs.get("isbn10", "" if "isbn13" in attrs else current["isbn10"])
            isbn13 = attrs.get("isbn13", "" if "isbn10" in attrs else current["isbn13"])
            attrs["isbn10"], attrs["isbn13"] = complete_pair(isbn10 or "", isbn13 or "")
        started = attrs.get("started_at", current["started_at"])
        finished = attrs.get("finished_at", current["finished_at"])
        if started and finished and finished < started:
            raise serializers.ValidationError(
                {"finished_at": ["A book cannot be finished before it was started."]}
            )
        goodreads_id = attrs.get("goodreads_id", "").strip()
        if goodreads_id:
            taken = Book.objects.filter(
                user=self.context["request"].user, goodreads_id=goodreads_id
            )
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {"goodreads_id": ["Another of your books has this Goodreads id."]}
                )
        if "status" in attrs and (instance is None or attrs["status"] != instance.status):
            attrs.update(implied_by_status(attrs["status"], attrs, current))
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Book:
        """A new book with a status other than want-to-read starts with its read."""
        with transaction.atomic():
            book = super().create(validated_data)
            for read in reading.reads_for_new_book(book):
                read.save()
        return book

    def update(self, instance: Book, validated_data: dict[str, Any]) -> Book:
        """Status, percent and dates go to the book's reads (``reading.person_edit``); the
        book's own fields follow from them."""
        edit = {
            name: validated_data.pop(name)
            for name in reading.BOOK_FIELDS
            if name in validated_data and validated_data[name] != getattr(instance, name)
        }
        with transaction.atomic():
            book = super().update(instance, validated_data)
            if edit:
                reading.person_edit(book, edit)
        return book


class ImportUploadSerializer(StrictBodyMixin, serializers.Serializer):
    file = serializers.FileField(help_text="A Goodreads or StoryGraph CSV export.")


class SkippedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number in the file (the header is line 1).")
    reason = serializers.CharField()


class ImportNoteSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    reason = serializers.CharField()


class KeptRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number in the file (the header is line 1).")
    book_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    reason = serializers.CharField(help_text="What the tracker has, what the file says.")


class ImportResultSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["goodreads", "storygraph"])
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    kept_count = serializers.IntegerField(
        help_text="Rows left as the tracker has them because the tracker is newer."
    )
    kept = KeptRowSerializer(many=True, help_text="Those rows, each with why.")
    skipped = SkippedRowSerializer(many=True, help_text="Rows that could not be read.")
    notes = ImportNoteSerializer(
        many=True, help_text="Fields left out of otherwise imported rows (e.g. a bad ISBN)."
    )
