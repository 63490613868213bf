"""A person, not a superuser, does the whole job in a real headless Chromium (Playwright).

Made by ``manage.py create_user`` (a person by default, password from the environment), with
their Goodreads catalogue imported, the person logs in to the admin and, with no other help:

1. connects Audible through the Amazon login in the browser: the gateway's login link opens
   the sandbox's "Amazon", which redirects to the ``maplanding`` address; Amazon shows "page
   not found" there (imitated by the test's route, since this machine has no network), and the
   person pastes that address back;
2. presses **Sync now** and watches the run go and end on the same page (no reload);
3. resolves the conflict the sync opened;
4. changes a setting (first a refused value, with the API's sentence, then a good one);
5. disconnects: the sandbox has no extra registered device left.

Screenshots of every step are kept in ``var/artifacts/screenshots/`` (``SCREENSHOT_DIR``
overrides it), as test artefacts CI can upload.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page
from tests.support.stack import Stack
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.books.importers import import_books

allow_orm_beside_playwright()

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "audible_gateway/sandbox/data/demo_goodreads_export.csv"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "var/artifacts/screenshots")
PASSWORD = "pat-the-person-password-91"
MAPLANDING = re.compile(r"^https://www\.amazon\.[a-z.]+/ap/maplanding\?")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def stack(settings):
    live = Stack()
    live.point(settings, budget_s=5, read_timeout_s=30)
    yield live
    live.stop()


@pytest.fixture
def pat(monkeypatch, django_user_model):
    """A person as the docs make one: ``create_user``, then their catalogue imported."""
    monkeypatch.setenv("PAT_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("create_user", "pat", "--password-env", "PAT_PASSWORD", stdout=out)
    user = django_user_model.objects.get(username="pat")
    assert user.auth_token.key == out.getvalue().split()[-1]
    assert user.is_staff
    assert not user.is_superuser
    with CATALOGUE.open("rb") as handle:
        import_books(user, handle)
    return user


@pytest.fixture
def browser_page():
    with chromium_page(height=1100) as page:
        yield page


def active_devices(stack) -> int:
    return sum(1 for device in stack.state.snapshot()["devices"] if device["active"])


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"person-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def amazon_not_found(route) -> None:
    """What Amazon answers at the maplanding address: a page that says nothing is there."""
    route.fulfill(
        status=404,
        content_type="text/html",
        body="<html><title>Page Not Found</title><body><h1>Looking for something?</h1>"
        "<p>We're sorry. The Web address you entered is not a functioning page on our site."
        "</p></body></html>",
    )


def test_a_person_does_the_whole_job_in_the_admin(live_server, browser_page, stack, pat):
    page = browser_page
    page.context.route(MAPLANDING, amazon_not_found)
    devices_before = active_devices(stack)

    # log in as the person
    page.goto(f"{live_server.url}/admin/login/?next=/admin/audible_sync/dashboard/")
    page.fill("#id_username", "pat")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/audible_sync/dashboard/")
    assert "Not connected" in page.locator("#dash-health").inner_text()
    shot(page, "1-dashboard-not-connected")

    # 1. connect through the Amazon login
    page.click("#connect-link")
    page.wait_for_url("**/admin/audible_sync/connection/")
    page.select_option("#id_locale", "us")
    page.click("#start-login-button")
    page.wait_for_selector("#amazon-login-link")
    steps = page.locator("#finish-login").inner_text()
    assert "Copy the whole address" in steps
    assert "/ap/maplanding?" in steps
    shot(page, "2-connect-paste-the-address")
    with page.context.expect_page() as opened:
        page.click("#amazon-login-link")
    amazon = opened.value
    amazon.wait_for_url(MAPLANDING)
    assert "Looking for something?" in amazon.content()
    landing = amazon.url
    amazon.close()
    page.fill("#id_redirect_url", landing)
    page.click("#finish-login-button")
    page.wait_for_url("**/admin/audible_sync/dashboard/")
    assert "Audible is connected" in page.locator(".messagelist").inner_text()
    assert active_devices(stack) == devices_before + 1
    config = AudibleConfig.objects.get(user=pat)
    assert config.sealed_auth not in page.content()
    shot(page, "3-connected")

    # 2. Sync now: the page follows the run to its end without a reload
    assert "Allowed now." in page.locator("#dash-sync-now").inner_text()
    stack.state.config.latency_s = 0.4  # Audible answers slowly: the run is seen going
    try:
        page.click("#sync-now-button")
        page.wait_for_url(re.compile(r".*/admin/audible_sync/dashboard/\?sync=\d+"))
        page.evaluate("window.__same_page = true")
        page.wait_for_function(
            "() => /Starting|Running/.test(document.querySelector('#sync-progress').textContent)"
        )
        shot(page, "4-sync-running")
        page.wait_for_selector(
            "#sync-progress[data-state=ok], #sync-progress[data-state=partial], "
            "#sync-progress[data-state=failed]",
            timeout=90_000,
        )
    finally:
        stack.state.config.latency_s = 0.0
    assert page.evaluate("window.__same_page") is True  # no reload by hand, nor by the page
    log = AudibleSyncLog.objects.filter(user=pat).latest("id")
    result = page.locator("#sync-progress .sync-progress-text").inner_text()
    assert log.status == "ok", log.error
    assert result.startswith(f"Done: {log.items_seen} titles seen")
    assert f"{log.conflicts_opened} conflict" in result
    assert log.conflicts_opened >= 1
    shot(page, "5-sync-done")

    # 3. resolve the conflict the sync opened
    page.click("#sync-conflicts-link")
    page.wait_for_url("**/admin/audible_sync/audibleconflict/**")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("#audible-conflict")
    conflict_id = int(re.search(r"/audibleconflict/(\d+)/", page.url).group(1))
    shot(page, "6-conflict")
    if page.locator("button.audible-link-candidate").count():
        page.locator("button.audible-link-candidate").first.click()
    else:
        page.locator("button[value=create]").first.click()
    page.wait_for_selector(".messagelist .success")
    conflict = AudibleConflict.objects.get(pk=conflict_id)
    assert conflict.user_id == pat.pk
    assert conflict.status == "resolved"
    assert conflict.resolved_by_id == pat.pk
    assert AudibleBookMapping.objects.filter(user=pat, asin=conflict.asin).exists()
    shot(page, "7-conflict-resolved")

    # 4. change a setting: a refused value reads as the API says it, then a good one
    page.goto(f"{live_server.url}/admin/audible_sync/dashboard/")
    page.click("#settings-link")
    page.wait_for_url("**/admin/audible_sync/settings/")
    page.fill("#id_sync_interval_minutes", "5")
    page.click("#save-settings")
    assert "Must be at least 15 minutes." in page.locator(".errorlist").inner_text()
    shot(page, "8-setting-refused")
    page.fill("#id_sync_interval_minutes", "180")
    page.click("#save-settings")
    page.wait_for_selector(".messagelist .success")
    assert AudibleConfig.objects.get(user=pat).sync_interval_minutes == 180
    shot(page, "9-setting-saved")

    # 5. disconnect: the device is deregistered, the keys forgotten
    page.goto(f"{live_server.url}/admin/audible_sync/connection/")
    page.click("#disconnect-link")
    page.click("#confirm-disconnect")
    page.wait_for_selector(".messagelist .success")
    assert "Audible is disconnected" in page.locator(".messagelist").inner_text()
    assert "Not connected" in page.locator("#connection-state").inner_text()
    shot(page, "10-disconnected")
    assert active_devices(stack) == devices_before
    config = AudibleConfig.objects.get(user=pat)
    assert (config.sealed_auth, config.sync_interval_minutes) == ("", 180)
    # Playwright's greenlets may have opened connections the teardown cannot see.
    connections.close_all()
