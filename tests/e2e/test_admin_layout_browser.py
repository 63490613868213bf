"""Every admin page a person sees, in a real headless Chromium at 1366 px and 390 px, light and
dark: list pages do not scroll sideways, nor hide part of their table in its scrolling box, at
1366 px or at 390 px (where each row becomes a small card),
no asset answers 404, no raw JSON or ASIN stands where a title belongs. Screenshots of each page
at both widths are kept in ``var/artifacts/screenshots/`` (``SCREENSHOT_DIR``).

The data is real: a Goodreads import and five syncs of the sandbox library through the real
gateway (the dashboard test's fixtures), for a person in the person group (not a superuser).
"""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.urls import reverse

from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page
from tests.e2e.browser import horizontal_overflow
from tests.e2e.test_dashboard_browser import SCREENSHOTS
from tests.e2e.test_dashboard_browser import listener  # noqa: F401 - fixture
from tests.e2e.test_dashboard_browser import stack  # noqa: F401 - fixture
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.books.models import Book
from tracker_api.core.roles import sync_person_group

allow_orm_beside_playwright()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "l-pass-456"  # the dashboard test's listener
WIDTHS = (1366, 390)
RAW_JSON = re.compile(r'[\[{]\s*"[a-z_]+"\s*:')
ASIN = re.compile(r"\bB0[0-9A-Z]{8}\b")


# How much of the list's table is cut off by its scrolling box (Django scrolls .results).
TABLE_CUT = """() => {
  const box = document.querySelector('#changelist .results');
  return box ? box.scrollWidth - box.clientWidth : 0;
}"""


def person_pages(user) -> list[tuple[str, str, bool]]:
    """(name, URL, is a list page) for each page a person opens."""
    conflict = AudibleConflict.objects.filter(user=user).first()
    mapping = AudibleBookMapping.objects.filter(user=user, book__isnull=False).first()
    log = AudibleSyncLog.objects.filter(user=user).exclude(changes=[]).first()
    history = AudibleProgressHistory.objects.filter(user=user).first()
    book = Book.objects.filter(user=user).first()

    def admin(name: str, *args: int) -> str:
        return reverse(f"admin:{name}", args=args)

    return [
        ("index", admin("index"), False),
        ("dashboard", admin("audible_sync_dashboard"), False),
        ("conflicts", admin("audible_sync_audibleconflict_changelist"), True),
        ("conflict", admin("audible_sync_audibleconflict_change", conflict.pk), False),
        ("mappings", admin("audible_sync_audiblebookmapping_changelist"), True),
        ("mapping", admin("audible_sync_audiblebookmapping_change", mapping.pk), False),
        ("sync-logs", admin("audible_sync_audiblesynclog_changelist"), True),
        ("sync-log", admin("audible_sync_audiblesynclog_change", log.pk), False),
        ("history", admin("audible_sync_audibleprogresshistory_changelist"), True),
        ("history-row", admin("audible_sync_audibleprogresshistory_change", history.pk), False),
        ("listening", admin("audible_sync_audiblelistening_changelist"), True),
        ("books", admin("books_book_changelist"), True),
        ("book", admin("books_book_change", book.pk), False),
        ("configs", admin("audible_sync_audibleconfig_changelist"), True),
        ("connection", admin("audible_sync_connection"), False),
        ("settings", admin("audible_sync_settings"), False),
    ]


@pytest.fixture
def person(listener):  # noqa: F811 - the imported fixture
    listener.is_staff = True
    listener.save(update_fields=["is_staff"])
    listener.groups.add(sync_person_group())
    return listener


def test_every_person_page_fits_and_shows_no_raw_data(live_server, person):
    pages = person_pages(person)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    problems: list[str] = []
    with chromium_page(width=1366, height=900) as page:
        page.on(
            "response",
            lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"),
        )
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", person.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for name, url, is_list in pages:
                    response = page.goto(live_server.url + url)
                    assert response.status == 200, (name, response.status)
                    page.wait_for_load_state("load")
                    text = page.locator("#content").inner_text()
                    if RAW_JSON.search(text):
                        problems.append(f"{name}: raw JSON {RAW_JSON.search(text).group(0)}")
                    title = " ".join(
                        [page.title(), *page.locator(".breadcrumbs").all_inner_texts()]
                    )
                    if ASIN.search(title):
                        problems.append(f"{name}: ASIN in the title {title!r}")
                    if "Django administration" in page.content():
                        problems.append(f"{name}: Django's branding")
                    hidden = page.evaluate(TABLE_CUT)
                    if is_list and hidden > 0:
                        problems.append(f"{name} at {width} px hides {hidden} px of its table")
                    overflow = horizontal_overflow(page)
                    if (is_list or width == 390) and overflow[0] > 0:
                        problems.append(f"{name} at {width} px scrolls sideways: {overflow}")
                    page.screenshot(
                        path=str(SCREENSHOTS / f"admin-{name}-{width}-{scheme}.png"),
                        full_page=True,
                    )
    assert failed == []  # no asset (favicon, CSS, script) is missing
    assert problems == [], "\n".join(problems)
    connections.close_all()  # (see test_dashboard_browser: Playwright's greenlets)
