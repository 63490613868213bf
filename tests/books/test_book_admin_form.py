"""The admin's book form edits authors and contributors as names, one a line, never as JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.factories import BookFactory
from tracker_api.books.admin_forms import BookAdminForm

pytestmark = pytest.mark.django_db


def test_the_page_shows_names_one_a_line(admin_client, alice):
    book = BookFactory(
        user=alice,
        authors=["J. K. Rowling"],
        contributors=[{"name": "Mary GrandPré", "role": "illustrator"}],
    )
    page = admin_client.get(reverse("admin:books_book_change", args=[book.pk])).content.decode()
    assert ">\nJ. K. Rowling</textarea>" in page
    assert ">\nMary GrandPré (illustrator)</textarea>" in page
    assert "[&quot;J. K. Rowling&quot;]" not in page


def test_lines_become_the_stored_lists(alice):
    book = BookFactory(user=alice)
    form = BookAdminForm(
        data={
            "authors": "Neil Gaiman\n\n  Terry   Pratchett \nNeil Gaiman",
            "contributors": "Stephen Briggs (narrator)\nSomeone",
        },
        instance=book,
    )
    form.full_clean()
    assert form.cleaned_data["authors"] == ["Neil Gaiman", "Terry Pratchett"]
    assert form.cleaned_data["contributors"] == [
        {"name": "Stephen Briggs", "role": "narrator"},
        {"name": "Someone", "role": ""},
    ]
