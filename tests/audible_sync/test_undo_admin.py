"""Undo in the admin, as a person uses it: a run's confirmation page and its button, the bulk
action, and relinking a mapping with the "revert" checkbox. Real database, real views."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.audible_sync.test_linking import audible_item
from tests.support.factories import BookFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.sync.apply import apply_library
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.books.models import Book
from tracker_api.core.roles import PERSON_GROUP

pytestmark = pytest.mark.django_db
PASSWORD = "undo-admin-password-31"
ASIN = "B0ADMINUN1"


@pytest.fixture
def person(db):
    user = get_user_model().objects.create_user("pia", "pia@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=PERSON_GROUP))
    return user


@pytest.fixture
def client(person):
    browser = Client()
    assert browser.login(username="pia", password=PASSWORD)
    return browser


def sync(user, item):
    config, _ = AudibleConfig.objects.get_or_create(user=user)
    log = SyncLogFactory(user=user)
    with transaction.atomic():
        apply_library(config, Library(items=[item]), sync_log=log, now=timezone.now())
    return log


def test_the_undo_page_lists_what_the_run_wrote_and_its_button_undoes_it(person, client):
    log = sync(person, audible_item(ASIN, percent=30.0, title="A Book Undone"))
    assert Book.objects.filter(user=person, title="A Book Undone").exists()
    page = client.get(reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk]))
    undo_url = reverse("admin:audible_sync_audiblesynclog_undo", args=[log.pk])
    assert undo_url.encode() in page.content
    confirm = client.get(undo_url)
    assert confirm.status_code == 200
    assert b"A Book Undone" in confirm.content
    assert b"Yes, undo run" in confirm.content
    done = client.post(undo_url, {"confirm": "yes"}, follow=True)
    assert done.status_code == 200
    assert f"Run {log.pk} undone".encode() in done.content
    assert not Book.objects.filter(user=person).exists()
    assert not AudibleBookMapping.objects.filter(user=person).exists()
    refused = client.post(undo_url, {"confirm": "yes"}, follow=True)
    assert b"already been undone" in refused.content


def test_the_bulk_action_undoes_newest_first_and_names_a_refusal(person, client):
    first = sync(person, audible_item(ASIN, percent=20.0, title="Twice Synced"))
    second = sync(person, audible_item(ASIN, percent=45.0, title="Twice Synced"))
    changelist = reverse("admin:audible_sync_audiblesynclog_changelist")
    blocked = client.post(
        changelist,
        {"action": "undo_selected_runs", "_selected_action": [str(first.pk)]},
        follow=True,
    )
    assert f"sync run {second.pk}".encode() in blocked.content  # the refusal names the newer run
    assert Book.objects.filter(user=person).exists()
    client.post(
        changelist,
        {"action": "undo_selected_runs", "_selected_action": [str(first.pk), str(second.pk)]},
    )
    assert not Book.objects.filter(user=person).exists()


def test_relink_with_the_revert_checkbox_puts_the_old_book_back(person, client):
    wrong = BookFactory(user=person, title="The Wrong One")
    right = BookFactory(user=person, title="The Right One")
    before = list(Book.objects.filter(pk=wrong.pk).values())
    AudibleBookMapping.objects.create(
        user=person, asin=ASIN, match_method="manual", item=audible_item(ASIN, percent=60.0)
    )
    linking.link_asin(person, ASIN, wrong.pk, by=person)
    assert Book.objects.get(pk=wrong.pk).status == "reading"
    mapping = AudibleBookMapping.objects.get(user=person, asin=ASIN)
    page = client.get(
        reverse("admin:audible_sync_audiblebookmapping_change", args=[mapping.pk]), {"q": "Right"}
    )
    assert b'name="revert"' in page.content
    relink = reverse("admin:audible_sync_audiblebookmapping_relink", args=[mapping.pk])
    answer = client.post(relink, {"book_id": right.pk, "revert": "1"}, follow=True)
    assert b"reverted" in answer.content
    assert list(Book.objects.filter(pk=wrong.pk).values()) == before
    assert not wrong.reads.exists()
    assert Book.objects.get(pk=right.pk).status == "reading"
    assert ChangeSet.objects.filter(user=person, kind="revert_link").count() == 1
