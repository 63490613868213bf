"""A person resolves a conflict in the admin with a real headless Chromium (Playwright).

pytest-django's ``live_server`` serves the tracker; the browser logs in, opens the open
conflict, sees the candidates side by side and clicks "Link to this candidate"; the database
then holds the mapping, the resolved conflict and the applied progress.
"""

from __future__ import annotations

import pytest
from django.db import connections

from tests.audible_sync.test_linking import audible_item
from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page
from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory

allow_orm_beside_playwright()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page():
    with chromium_page(height=1400) as page:
        yield page


def test_staff_links_a_conflict_to_a_candidate(
    live_server, browser_page, django_user_model, tmp_path
):
    django_user_model.objects.create_superuser("staff", "staff@example.com", "staff-pass-123")
    owner = django_user_model.objects.create_user("listener", "l@example.com", "x-pass-456")
    right = BookFactory(
        user=owner,
        title="The Fellowship of the Ring",
        authors=["J. R. R. Tolkien"],
        series="The Lord of the Rings",
        series_position="1",
    )
    wrong = BookFactory(user=owner, title="The Two Towers", authors=["J. R. R. Tolkien"])
    conflict = ConflictFactory(
        user=owner,
        asin="B0FELLOW01",
        item=audible_item("B0FELLOW01", percent=62.5),
        recommendation="medium",
        candidates=[
            {
                "id": right.pk,
                "title": right.title,
                "authors": right.authors,
                "distance": 0.12,
                "similarity": 0.88,
                "penalties": {"subtitle": 0.4},
                "reasons": ["title matches", "subtitle differs"],
            },
            {
                "id": wrong.pk,
                "title": wrong.title,
                "authors": wrong.authors,
                "distance": 0.45,
                "similarity": 0.55,
                "penalties": {"title": 0.7},
                "reasons": ["title differs in part (40%)"],
            },
        ],
    )

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/audible_sync/audibleconflict/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "staff-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/audible_sync/audibleconflict/")
    assert page.locator(".audible-badge-amber").first.inner_text() == "88 %"

    page.click("text=The Fellowship of the Ring")
    page.wait_for_selector("#candidate-1")
    assert page.locator(".audible-candidate").count() == 2
    assert "subtitle differs" in page.locator("#candidate-1").inner_text()
    page.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)

    page.click(f"#candidate-1 button.audible-link-candidate[data-book-id='{right.pk}']")
    page.wait_for_selector(".messagelist .success")
    assert "Linked to" in page.locator(".messagelist").inner_text()
    shot = tmp_path / "resolved.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    conflict = AudibleConflict.objects.get(pk=conflict.pk)
    assert (conflict.status, conflict.resolution) == ("resolved", "linked")
    assert conflict.resolved_by.username == "staff"
    mapping = AudibleBookMapping.objects.get(user=owner, asin="B0FELLOW01")
    assert mapping.book_id == right.pk
    assert mapping.confidence == 0.88
    right.refresh_from_db()
    assert right.progress_percent == 62.5
    assert right.status == "reading"
    assert AudibleProgressHistory.objects.filter(mapping=mapping, source="link").count() == 1
    # Playwright's sync API runs on greenlets, each with its own context, so the ORM calls
    # above may have opened a connection pytest-django's teardown cannot see: close it here,
    # or the test database cannot be dropped.
    connections.close_all()
