"""A person undoes in the admin with a real headless Chromium (Playwright): they relink a
wrongly linked title with the "revert" checkbox ticked, then undo a sync run with its button.

pytest-django's ``live_server`` serves the tracker; the clicks are a person's (staff in the
``person`` group, so every page is scoped to their own rows).
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.db import transaction
from django.utils import timezone

from tests.audible_sync.test_linking import audible_item
from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page
from tests.support.factories import BookFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.sync.apply import apply_library
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.books.models import Book
from tracker_api.core.roles import sync_person_group

allow_orm_beside_playwright()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]
ASIN = "B0FELLOW01"


@pytest.fixture
def browser_page():
    with chromium_page(height=1400) as page:
        yield page


def test_a_person_relinks_with_revert_and_undoes_a_run(
    live_server, browser_page, django_user_model
):
    person = django_user_model.objects.create_user(
        "reader", "r@example.com", "reader-pass-789", is_staff=True
    )
    person.groups.add(sync_person_group())  # a transactional test may have flushed it
    wrong = BookFactory(user=person, title="The Two Towers", authors=["J. R. R. Tolkien"])
    right = BookFactory(
        user=person, title="The Fellowship of the Ring", authors=["J. R. R. Tolkien"]
    )
    before = list(Book.objects.filter(pk=wrong.pk).values())
    AudibleBookMapping.objects.create(
        user=person, asin=ASIN, match_method="manual", item=audible_item(ASIN, percent=62.5)
    )
    linking.link_asin(person, ASIN, wrong.pk, by=person)
    mapping = AudibleBookMapping.objects.get(user=person, asin=ASIN)

    page = browser_page
    target = f"/admin/audible_sync/audiblebookmapping/{mapping.pk}/change/?q=Fellowship"
    page.goto(f"{live_server.url}/admin/login/?next={target}")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "reader-pass-789")
    page.click("input[type=submit]")
    page.wait_for_selector(f"button.audible-link-result[data-book-id='{right.pk}']")
    row = page.locator("form", has=page.locator(f"button[data-book-id='{right.pk}']"))
    row.locator("input[name=revert]").check()
    row.locator("button.audible-link-result").click()
    page.wait_for_selector(".messagelist li")
    assert "reverted" in page.locator(".messagelist").inner_text()
    assert list(Book.objects.filter(pk=wrong.pk).values()) == before
    assert Book.objects.get(pk=right.pk).status == "reading"

    config, _ = AudibleConfig.objects.get_or_create(user=person)
    log = SyncLogFactory(user=person)
    item = audible_item("B0NEWTITLE", percent=20.0, title="A Title The Run Created")
    with transaction.atomic():
        apply_library(config, Library(items=[item]), sync_log=log, now=timezone.now())
    assert Book.objects.filter(user=person, title="A Title The Run Created").exists()
    page.goto(f"{live_server.url}/admin/audible_sync/audiblesynclog/{log.pk}/change/")
    page.click("a.audible-undo-link")
    page.wait_for_selector("button.audible-undo-confirm")
    assert "A Title The Run Created" in page.locator(".audible-undo-titles").inner_text()
    page.click("button.audible-undo-confirm")
    page.wait_for_selector(".messagelist li")
    assert f"Run {log.pk} undone" in page.locator(".messagelist").inner_text()
    assert not Book.objects.filter(user=person, title="A Title The Run Created").exists()
    connections.close_all()  # see test_admin_browser.py: Playwright's greenlets
