"""Authors kept apart from contributors: roles as the sources write them (invented names)."""

from __future__ import annotations

import pytest

from tracker_api.books.credits import catalogue_contributors
from tracker_api.books.credits import contributors_of
from tracker_api.books.credits import credits_text
from tracker_api.books.credits import split_credits
from tracker_api.matching import CatalogBook
from tracker_api.matching import build_index
from tracker_api.matching import decide
from tracker_api.matching import propose


@pytest.mark.parametrize(
    ("names", "authors", "contributors"),
    [
        pytest.param(["Ann Lee", "Bo Ek"], ["Ann Lee", "Bo Ek"], [], id="co-authors"),
        pytest.param(["Ann Lee", "Cy Dee (Illustrator)"], ["Ann Lee"],
                     [{"name": "Cy Dee", "role": "illustrator"}], id="illustrator-in-brackets"),
        pytest.param(["Ann Lee", "Di Fox - translator"], ["Ann Lee"],
                     [{"name": "Di Fox", "role": "translator"}], id="translator-after-a-dash"),
        pytest.param(["Ann Lee", "Narrated by: Ed Gu"], ["Ann Lee"],
                     [{"name": "Ed Gu", "role": "narrator"}], id="narrated-by"),
        pytest.param(["Fay Hu (Editor)"], ["Fay Hu (Editor)"], [],
                     id="an-editor-stays-credited-like-an-author"),
    ],
)  # fmt: skip
def test_split_credits(names, authors, contributors):
    assert split_credits(names) == (authors, contributors)


def test_a_contributor_column_keeps_unstated_roles_empty():
    assert contributors_of(["Gil Orr (Illustrator)", "Hal Ma", "Hal Ma"]) == [
        {"name": "Gil Orr", "role": "illustrator"},
        {"name": "Hal Ma", "role": ""},
    ]


def test_stored_contributors_read_back_and_shown():
    stored = [{"name": "Gil Orr", "role": "illustrator"}, {"name": "Hal Ma"}, "junk", {}]
    assert catalogue_contributors(stored) == (("Gil Orr", "illustrator"), ("Hal Ma", ""))
    assert credits_text(["Ann Lee"], stored) == "Ann Lee; with Gil Orr (illustrator), Hal Ma"
    assert credits_text([], []) == "—"


BOOKS = [
    CatalogBook(id=1, title="The Quiet Lantern", authors=("Annika Lindqvist",),
                contributors=(("Cyrus Dembele", "illustrator"), ("Ottavio Reyes", "narrator"))),
    CatalogBook(id=2, title="Harbour of Salt", authors=("Ivo Pym",),
                contributors=(("Jo Rask", ""),)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "authors", "expected"),
    [
        pytest.param("The Quiet Lantern", ["Annika Lindqvist"], "linked", id="the-author"),
        pytest.param("The Quiet Lantern", ["Cyrus Dembele"], "new",
                     id="illustrator-is-not-an-author"),
        pytest.param("The Quiet Lantern", ["Ottavio Reyes"], "new",
                     id="narrator-is-not-an-author"),
        pytest.param("Harbour of Salt", ["Jo Rask"], "linked",
                     id="unstated-role-counts-like-a-co-author"),
    ],
)  # fmt: skip
def test_the_matcher_weighs_contributors_by_role(title, authors, expected):
    decision = decide(propose({"asin": "B0CRED0001", "title": title, "authors": authors},
                              build_index(BOOKS)))  # fmt: skip
    assert decision.kind == expected, [c.reasons for c in decision.candidates]
