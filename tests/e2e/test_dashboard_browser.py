"""The Audible dashboard in a real headless Chromium (Playwright), on data the real services made.

A person's catalogue comes from the Goodreads import; their Audible library from the sandbox,
through the real gateway and ``run_sync``: a first sync (links, books, one conflict), then
three syncs after listening in the sandbox and one that fails on an Audible error. Each sync is
then moved back to the day it stands for (its log and its history rows' timestamps only), so
the listening history spans several days; Audible's aggregates (the sandbox's) fill the
time-listened charts. A superuser logs in, picks the person and checks the chart's
bars, the progress bars, the panels, and a full-page screenshot, in light and dark mode.
"""

from __future__ import annotations

import os
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from audible_gateway.sandbox import clock
from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page
from tests.e2e.browser import horizontal_overflow
from tests.support.stack import Stack
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import run_sync
from tracker_api.books.importers import import_books

allow_orm_beside_playwright()
CATALOGUE = Path(__file__).resolve().parents[2] / (
    "audible_gateway/sandbox/data/demo_goodreads_export.csv"
)
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "var/artifacts/screenshots")
HOUR = 3_600_000
NAME_OF_THE_WIND = "B0PZHZFWVU"  # 23.9 % in the sample library
SAPIENS = "B0R2RJL14R"  # 55 %
RED_RISING = "B0H7O4SDZ6"  # 88.4 %
DUNE = "B0W72Y89K8"  # 5.2 %

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def stack(settings):
    live = Stack()
    live.point(settings)
    yield live
    live.stop()


@pytest.fixture
def browser_page():
    with chromium_page(height=1000) as page:
        yield page


def sync_on(user, days_ago: int, *, force: bool = True) -> AudibleSyncLog:
    """Run a real sync, then date it (log and history rows) ``days_ago`` days back."""
    outcome = run_sync(user, trigger="manual", force=force)
    when = timezone.now() - timedelta(days=days_ago)
    log = outcome.log
    AudibleSyncLog.objects.filter(pk=log.pk).update(
        started_at=when, finished_at=when + timedelta(milliseconds=log.duration_ms or 0)
    )
    AudibleProgressHistory.objects.filter(sync_log=log).update(recorded_at=when)
    log.refresh_from_db()
    return log


@pytest.fixture
def listener(stack, django_user_model):
    """A person with an imported catalogue, a connected account and a week of syncs."""
    user = django_user_model.objects.create_user("listener", "l@example.com", "l-pass-456")
    with CATALOGUE.open("rb") as handle:
        import_books(user, handle)
    AudibleConfig.objects.create(
        user=user,
        sealed_auth=stack.connect(),
        account={"customer_name": "Lee Listener", "locale": "us"},
        connected_at=timezone.now() - timedelta(days=7),
    )
    first = sync_on(user, 6, force=False)
    assert first.status == "ok", first.error
    assert first.conflicts_opened >= 1

    stack.state.update_progress(RED_RISING, is_finished=True)
    stack.state.update_progress(NAME_OF_THE_WIND, percent=40.0)
    assert sync_on(user, 4).status == "ok"

    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    failed = sync_on(user, 3)
    stack.state.clear_faults()
    assert failed.status == "failed"
    assert failed.error

    stack.state.update_progress(NAME_OF_THE_WIND, percent=55.0)
    stack.state.update_progress(SAPIENS, percent=70.0)
    assert sync_on(user, 2).status == "ok"

    stack.state.update_progress(DUNE, percent=20.0)
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with stack.state.lock:  # what Audible's aggregates will say: three days of listening
        stack.state.listening_log[:] = [
            (clock.epoch_ms(noon - timedelta(days=ago)), ms)
            for ago, ms in ((0, 2 * HOUR), (2, HOUR), (4, HOUR // 2))
        ]
    assert sync_on(user, 0).status == "ok"
    return user


def screenshot_facts(path: Path) -> tuple[tuple[int, int], int]:
    """A PNG's size in pixels and how many distinct colours it holds (decoded with Pillow,
    which the ``audible`` package already depends on)."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
        return image.size, len(colours)


def test_the_dashboard_shows_a_persons_sync_and_listening(
    live_server, browser_page, listener, django_user_model, tmp_path
):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.click("#audible_sync-dashboard a")  # the index links to the dashboard
    page.wait_for_url("**/admin/audible_sync/dashboard/")
    assert page.locator("h1").inner_text() == "Audible dashboard: boss"

    page.select_option("#dash-user", label="listener")
    page.click(".dash-picker button")
    page.wait_for_url(f"**/admin/audible_sync/dashboard/{listener.pk}/")
    assert page.locator("h1").inner_text() == "Audible dashboard: listener"

    # the listening charts: exactly the aggregates the sync stored from the sandbox
    stored = dict(
        AudibleListening.objects.filter(user=listener, period="day", listened_ms__gt=0)
        .filter(starts_on__gt=timezone.now().date() - timedelta(days=30))
        .values_list("starts_on", "listened_ms")
    )
    assert len(stored) == 3  # the listening log below
    chart = page.locator("#chart-days")
    assert chart.get_attribute("role") == "img"
    bars = chart.locator("rect[data-key]")
    shown = {
        bars.nth(i).get_attribute("data-key"): int(bars.nth(i).get_attribute("data-value"))
        for i in range(bars.count())
    }
    assert shown == {day.isoformat(): ms for day, ms in stored.items()}
    heights = {
        bars.nth(i).get_attribute("data-key"): bars.nth(i).bounding_box()["height"]
        for i in range(bars.count())
    }
    one_hour, two_hours = (day.isoformat() for day in sorted(stored, key=stored.get)[1:])
    assert heights[two_hours] / heights[one_hour] == pytest.approx(2.0, rel=0.02)
    total = int(page.locator("#fig-days-total").get_attribute("data-ms"))
    assert total == sum(stored.values()) == 3 * HOUR + HOUR // 2
    assert page.locator("#fig-days-total").inner_text() == "3 h 30 min"
    assert page.locator("#chart-months rect[data-key]").count() >= 1
    assert "percentage points" not in page.content()

    # currently listening: progress bars at Audible's percent, drawn that wide
    for asin, percent in [(NAME_OF_THE_WIND, 55.0), (SAPIENS, 70.0), (DUNE, 20.0)]:
        row = page.locator(f"li.dash-listening-row[data-asin='{asin}']")
        bar = row.locator("[role=progressbar]")
        assert bar.get_attribute("aria-valuenow") == f"{percent:.1f}"
        assert row.locator(".dash-percent").inner_text() == f"{percent:.0f} %"
        assert row.locator(".dash-left").inner_text().endswith(" left")
        track = bar.bounding_box()["width"] - 2  # inside the 1px border
        fill = row.locator(".dash-progress-fill").bounding_box()["width"]
        assert fill / track == pytest.approx(percent / 100, abs=0.01)
    assert page.locator(f"li.dash-listening-row[data-asin='{RED_RISING}']").count() == 0
    assert "Red Rising" in page.locator("#dash-finished").inner_text()

    # health, conflicts, syncs
    health = page.locator("#dash-health").inner_text()
    assert "Connected" in health
    assert "Lee Listener" in health
    conflicts = page.locator("#dash-conflicts")
    assert int(conflicts.locator(".dash-conflict-count").inner_text()) >= 1
    assert "The Magician's Nephew" in conflicts.inner_text()
    assert page.locator("tr.dash-sync-row").count() == 5
    assert page.locator("tr.dash-sync-row .audible-badge-red").count() == 1
    assert page.locator("tr.dash-sync-error").count() == 1

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    light = SCREENSHOTS / "dashboard-1280-light.png"
    page.screenshot(path=str(light), full_page=True)
    assert light.stat().st_size > 40_000
    (width, height), colours = screenshot_facts(light)
    assert width == 1280
    assert height > 1000  # the whole page, not only the viewport
    assert colours > 50  # text, badges, bars: not a blank or single-colour page

    # dark mode: the admin's dark theme, and the chart follows it
    text = "#chart-days .chart-text"
    light_fill = page.eval_on_selector(text, "e => getComputedStyle(e).fill")
    page.emulate_media(color_scheme="dark")
    dark_fill = page.eval_on_selector(text, "e => getComputedStyle(e).fill")
    assert dark_fill != light_fill
    dark = SCREENSHOTS / "dashboard-1280-dark.png"
    page.screenshot(path=str(dark), full_page=True)
    assert screenshot_facts(dark)[1] > 50

    # a phone: nothing wider than the screen, the charts still drawn
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = horizontal_overflow(page)
    assert overflow == (0, []), overflow
    assert page.locator("#chart-days").bounding_box()["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "dashboard-390-light.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})

    # the conflicts link lands on the person's open conflicts
    conflicts.locator(".dash-conflict-count").click()
    page.wait_for_url("**/audibleconflict/?**")
    assert "The Magician's Nephew" in page.locator("#result_list").inner_text()
    # Playwright's sync API runs on greenlets, each with its own context, so the ORM calls
    # above may have opened a connection pytest-django's teardown cannot see: close it here,
    # or the test database cannot be dropped.
    connections.close_all()
