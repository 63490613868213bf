"""Flows that end well: the conflict list opens on Open, nothing offers "Delete selected" on
conflicts, logs or history, a resolution leads to the person's next open conflict or their
dashboard, and the admin finds books by series, narrator and ASIN."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.audible_sync.person_client import logged_in
from tests.audible_sync.person_client import make_person
from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory

pytestmark = pytest.mark.django_db
CONFLICTS = reverse("admin:audible_sync_audibleconflict_changelist")


def listed(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_conflict_list_opens_on_open_with_all_one_click_away(admin_client, alice):
    waiting = ConflictFactory(user=alice)
    done = ConflictFactory(user=alice, status="resolved", resolution="ignored")
    response = admin_client.get(CONFLICTS)
    assert list(response.context["cl"].result_list) == [waiting]
    page = response.content.decode()
    assert '<li class="selected">\n    <a href="?status__exact=open"' in page
    assert set(listed(admin_client, CONFLICTS + "?status__exact=all")) == {waiting, done}
    assert listed(admin_client, CONFLICTS + "?status__exact=resolved") == [done]


@pytest.mark.parametrize("model", ["audibleconflict", "audiblesynclog", "audibleprogresshistory"])
def test_no_delete_selected_on_records(admin_client, alice, model):
    ConflictFactory(user=alice)
    SyncLogFactory(user=alice)
    HistoryFactory(mapping=MappingFactory(user=alice))
    response = admin_client.get(reverse(f"admin:audible_sync_{model}_changelist"))
    form = response.context["action_form"]  # None when no action is left at all
    actions = dict(form.fields["action"].choices) if form is not None else {}
    assert "delete_selected" not in actions
    assert "Delete selected" not in response.content.decode()


def resolve(client, conflict):
    url = reverse("admin:audible_sync_audibleconflict_resolve", args=[conflict.pk])
    return client.post(url, {"action": "ignore"})


def test_after_the_last_open_conflict_the_person_lands_on_their_dashboard():
    person = make_person("reader")
    other = make_person("someone")
    client = logged_in(person)
    first = ConflictFactory(user=person)
    second = ConflictFactory(user=person)
    ConflictFactory(user=other)  # someone else's open conflict is never "next"
    response = resolve(client, second)
    assert response["Location"] == reverse(
        "admin:audible_sync_audibleconflict_change", args=[first.pk]
    )
    response = resolve(client, first)
    assert response["Location"] == reverse("admin:audible_sync_dashboard")
    page = client.get(response["Location"]).content.decode()
    assert "is ignored (not mine)." in page


def test_an_operator_resolving_for_someone_lands_on_that_persons_dashboard(admin_client, alice):
    conflict = ConflictFactory(user=alice)
    response = resolve(admin_client, conflict)
    assert response["Location"] == reverse("admin:audible_sync_dashboard_user", args=[alice.pk])


def test_books_are_found_by_series_narrator_and_asin(admin_client, alice):
    narnia = BookFactory(
        user=alice,
        title="The Silver Chair",
        series="The Chronicles of Narnia",
        contributors=[{"name": "Jeremy Northam", "role": "narrator"}],
        asin="B0SILVER01",
    )
    BookFactory(user=alice, title="Dune")
    books = reverse("admin:books_book_changelist")
    for query in ("narnia", "northam", "B0SILVER01"):
        assert listed(admin_client, f"{books}?q={query}") == [narnia], query


def test_conflicts_and_mappings_are_found_by_series_and_narrator(admin_client, alice):
    item = {"title": "The Horse and His Boy", "series": "Narnia", "narrators": ["Alex Jennings"]}
    conflict = ConflictFactory(user=alice, asin="B0HORSE001", item=item)
    ConflictFactory(user=alice, item={"title": "Other"})
    mapping = MappingFactory(user=alice, asin="B0HORSE002", item=item)
    for query in ("narnia", "jennings", "B0HORSE001"):
        assert listed(admin_client, f"{CONFLICTS}?q={query}") == [conflict], query
    mappings = reverse("admin:audible_sync_audiblebookmapping_changelist")
    for query in ("narnia", "jennings"):
        assert listed(admin_client, f"{mappings}?q={query}") == [mapping], query
