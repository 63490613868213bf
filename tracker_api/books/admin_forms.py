"""The book form in the admin: authors and contributors edited as names, never as JSON.

Authors are one name a line, in order; contributors one "Name (role)" a line ("Rufus Beck
(narrator)"), parsed with the same role words as every import (``books.credits``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from tracker_api.books.credits import contributor
from tracker_api.books.models import Book

LINES = {"rows": 3, "cols": 40}


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


class BookAdminForm(forms.ModelForm):
    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=LINES),
        help_text="One name a line, in order.",
    )
    contributors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=LINES),
        help_text='Others credited, one a line with their role: "Rufus Beck (narrator)".',
    )

    class Meta:
        model = Book
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book = self.instance
        self.initial["authors"] = "\n".join(str(name) for name in book.authors or [])
        self.initial["contributors"] = "\n".join(
            f"{c.get('name', '')} ({c['role']})" if c.get("role") else str(c.get("name", ""))
            for c in book.contributors or []
            if isinstance(c, dict)
        )

    def clean_authors(self) -> list[str]:
        names: list[str] = []
        for name in _lines(self.cleaned_data.get("authors", "")):
            if name not in names:
                names.append(name)
        return names

    def clean_contributors(self) -> list[dict[str, str]]:
        found = (contributor(line) for line in _lines(self.cleaned_data.get("contributors", "")))
        return [entry for entry in found if entry is not None]
