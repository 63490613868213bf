"""The admin's household page in a real headless Chromium (Playwright), as two people.

Pat owns the Audible connection and Sam joins it; neither is a superuser (both made by
``manage.py create_user``, as the docs make people). In the browser, with no other help:

1. Pat makes the connection a household and invites Sam;
2. Sam, in a browser of their own, accepts the invitation;
3. Pat maps the Audible collection "Sam" to Sam; Sam adds their own rule (author Brandon
   Sanderson);
4. one sync of the household runs (Sam presses *Sync now* on the dashboard and follows the
   household run there);
5. Sam's page lists only Sam's titles, each with why it is Sam's; Pat's page lists every
   title with its person;
6. Pat claims one of Sam's books; after the next sync Sam's page offers to move what was
   written for Sam, and Sam moves it to Pat.

Screenshots of every step are kept in ``var/artifacts/screenshots/`` (``SCREENSHOT_DIR``
overrides it), as the other browser tests keep theirs.
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
from tests.support.gateway_settings import use_live_gateway
from tests.support.stack import SECRET
from tests.support.stack import Stack
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import run_sync
from tracker_api.households.models import CollectionRoute
from tracker_api.households.models import Membership
from tracker_api.households.models import PersonRule
from tracker_api.households.models import ProgressMove
from tracker_api.households.models import TitleRoute

allow_orm_beside_playwright()

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "var/artifacts/screenshots")
PAGE = "/admin/households/household/"
PASSWORDS = {"pat": "pat-the-owner-password-27", "sam": "sam-the-member-password-58"}
HARRY = ["B0AXFG8RRU", "B052PHLGDJ", "B0T0YFZYP0"]  # the collection "Sam"
SANDERSON = {"B0XUB7JNMW", "B0RXHHRYPP", "B068O6ZRWP", "B0O4LRLQQH"}
HOBBIT = "B07D4Z1S78"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def stack(settings):
    live = Stack()
    use_live_gateway(
        settings,
        live.gateway.url,
        SECRET,
        attempts=2,
        budget_s=5,
        max_wait_s=0.05,
        read_timeout_s=30,
    )
    yield live
    live.stop()


@pytest.fixture
def people(monkeypatch, django_user_model, stack):
    """Pat (connected to the sandbox's Audible) and Sam, both plain persons."""
    made = {}
    for name, password in PASSWORDS.items():
        monkeypatch.setenv("PERSON_PASSWORD", password)
        call_command("create_user", name, "--password-env", "PERSON_PASSWORD", stdout=io.StringIO())
        user = django_user_model.objects.get(username=name)
        assert user.is_staff
        assert not user.is_superuser
        made[name] = user
    AudibleConfig.objects.create(user=made["pat"], sealed_auth=stack.connect())
    return made["pat"], made["sam"]


@pytest.fixture
def two_browsers():
    """Two people at once: one Chromium, two contexts (each its own cookies and session)."""
    with chromium_page(height=1100) as owner:
        member = owner.context.browser.new_context(viewport={"width": 1280, "height": 1100})
        try:
            yield owner, member.new_page()
        finally:
            member.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"household-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next={PAGE}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click("input[type=submit]")
    page.wait_for_url(f"**{PAGE}")


def submit(page, form: str) -> str:
    """Press the form's button; the page answers with a message (success or the refusal)."""
    page.click(f"#{form} button[type=submit]")
    page.wait_for_selector(".messagelist li")
    return page.locator(".messagelist").inner_text()


def route_rows(page) -> dict[str, tuple[str, str]]:
    """The routes table as the page shows it: title -> (person, why)."""
    rows = page.locator("#routes tbody tr").all()
    found = {}
    for row in rows:
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        if len(cells) == 3:
            found[cells[0]] = (cells[1], cells[2])
    return found


def test_the_owner_and_a_member_share_a_login_in_the_admin(
    live_server, two_browsers, stack, people
):
    owner, member = two_browsers
    pat, sam = people
    base = live_server.url
    stack.state.collections.reset()
    stack.state.collections.create({"name": "Sam", "asins": HARRY})

    # 1. Pat makes the household and invites Sam
    log_in(owner, base, "pat")
    assert "No household" in owner.locator("#household").inner_text()
    owner.fill("#id_name", "The Smiths")
    assert "now a household" in submit(owner, "create-household")
    owner.fill("#id_username", "sam")
    assert "Sam is invited." in submit(owner, "invite")
    assert "Waiting for: sam" in owner.locator("#members").inner_text()
    shot(owner, "1-owner-invited")

    # 2. Sam accepts in their own browser; Sam's page offers no owner's forms
    log_in(member, base, "sam")
    invitation = member.locator("form[id^=invitation-]")
    assert "pat invites you to The Smiths" in invitation.inner_text()
    shot(member, "2-member-invited")
    invitation.locator("button[value=accept]").click()
    member.wait_for_selector(".messagelist li")
    assert "You joined the household." in member.locator(".messagelist").inner_text()
    assert Membership.objects.filter(user=sam, left_at__isnull=True).exists()
    assert member.locator("#invite, #map-collection, #unrouted").count() == 0
    assert member.locator("#leave").count() == 1

    # 3. Pat maps the collection "Sam"; Sam adds a rule for themselves
    owner.reload()
    owner.fill("#id_collection_name", "Sam")
    owner.select_option("#map-collection select[name=person]", label="sam")
    assert 'The collection "Sam" is mapped.' in submit(owner, "map-collection")
    assert 'Collection "Sam" → sam' in owner.locator("#members").inner_text()
    shot(owner, "3-owner-mapped")
    member.reload()
    member.select_option("#add-rule select[name=kind]", "author")
    member.fill("#add-rule input[name=value]", "Brandon Sanderson")
    assert "Rule added: author Brandon Sanderson." in submit(member, "add-rule")
    assert 'Author "Brandon Sanderson" → sam' in member.locator("#rules").inner_text()
    assert PersonRule.objects.get().person_id == sam.pk
    assert CollectionRoute.objects.get().person_id == sam.pk
    shot(member, "4-member-rule")

    # 4. Sam presses Sync now: the household's one sync runs on Pat's connection
    member.click(".person-nav a:has-text('Dashboard')")
    member.wait_for_url("**/admin/audible_sync/dashboard/")
    assert "Allowed now." in member.locator("#dash-sync-now").inner_text()
    stack.state.update_progress(HARRY[2], percent=30.0)  # Sam is a third of the way in
    stack.state.config.latency_s = 0.4  # Audible answers slowly: the household run is seen going
    try:
        member.click("#sync-now-button")
        member.wait_for_url(re.compile(r".*/admin/audible_sync/dashboard/\?sync=\d+"))
        member.wait_for_function(
            "() => /Starting|Running the household/.test("
            "document.querySelector('#sync-progress').textContent)"
        )
        shot(member, "5-member-sync-running")
        member.wait_for_selector(
            "#sync-progress[data-state=ok], #sync-progress[data-state=partial], "
            "#sync-progress[data-state=failed]",
            timeout=90_000,
        )
    finally:
        stack.state.config.latency_s = 0.0
    assert member.locator("#sync-progress").get_attribute("data-state") == "ok"
    runs = {log.user_id: log for log in AudibleSyncLog.objects.filter(status="ok")}
    assert set(runs) == {pat.pk, sam.pk}  # one run of the connection, Sam's part in Sam's row
    done = member.locator("#sync-progress .sync-progress-text").inner_text()
    assert done.startswith(f"Done: {runs[sam.pk].items_seen} titles seen")  # Sam's, not Pat's
    assert runs[sam.pk].items_seen == len(HARRY) + len(SANDERSON)
    shot(member, "6-member-synced")

    # 5. Sam's page: only Sam's titles, each with its reason
    member.goto(f"{base}{PAGE}")
    mine = route_rows(member)
    routed = dict(
        TitleRoute.objects.filter(household__connection__user=pat).values_list("asin", "person_id")
    )
    assert {a for a, p in routed.items() if p == sam.pk} == {*HARRY, *SANDERSON}
    assert len(mine) == len(HARRY) + len(SANDERSON)
    assert {person for person, _why in mine.values()} == {"sam"}
    named = dict(AudibleBookMapping.objects.filter(user=sam).values_list("asin", "item__title"))
    assert any("Harry Potter" in title for title in named.values())
    waiting = dict(AudibleConflict.objects.filter(user=sam).values_list("asin", "item__title"))
    assert waiting  # the sample library sends some of Sam's titles to a decision
    # Sam's titles by name: linked ones from their mapping, waiting ones from their conflict.
    assert set(mine) == {named.get(a) or waiting[a] for a in (*HARRY, *SANDERSON)}
    assert not set(mine) & {*HARRY, *SANDERSON}  # no title shown as its ASIN
    whys = sorted(why for _person, why in mine.values())
    assert whys.count('In a mapped Audible collection: in the collection "Sam"') == len(HARRY)
    assert whys.count("A person's rule: author is Brandon Sanderson") == len(SANDERSON)
    text = member.locator("#routes").inner_text()
    assert "My titles and why they are mine" in text
    assert "The Hobbit" not in text
    assert HOBBIT not in text
    shot(member, "7-member-sees-own-titles")

    # ... and Pat's page: every title with its person (Sam's stay an ASIN for Pat)
    owner.goto(f"{base}{PAGE}")
    everyone = route_rows(owner)
    assert len(everyone) == len(routed)
    assert everyone["The Hobbit"] == (
        "pat",
        "The household's default person: the household's default person",
    )
    for asin in HARRY:
        assert everyone[asin][0] == "sam"
    assert "Where each title went" in owner.locator("#routes").inner_text()
    shot(owner, "8-owner-sees-every-route")

    # 6. Pat takes the third book for themself; after the next sync Sam is offered to move
    #    what was written for Sam, and moves it from Sam's own page
    owner.fill("#id_asin", HARRY[2])
    owner.select_option("#assign select[name=person]", label="pat")
    assert "The title is assigned" in submit(owner, "assign")
    assert run_sync(pat, trigger="manual", force=True).status == "ok"
    assert TitleRoute.objects.get(asin=HARRY[2]).previous_person_id == sam.pk
    member.goto(f"{base}{PAGE}")
    offer = member.locator(f"#move-{HARRY[2]}")
    title = named[HARRY[2]]
    assert f"{title}: now pat's; sam has 1 read and 1 history row of it." in offer.inner_text()
    # Pat's tracker has the book as a conflict (it looks like Pat's fourth Harry Potter): the
    # move waits for it, and the page says so instead of offering a button that would refuse
    assert "once pat resolves the conflict for it" in offer.inner_text()
    assert offer.locator("button").count() == 0
    shot(member, "9-member-offer-waits")
    conflict = AudibleConflict.objects.get(user=pat, asin=HARRY[2], status="open")
    owner.goto(f"{base}/admin/audible_sync/audibleconflict/{conflict.pk}/change/")
    owner.locator("button.audible-create").click()  # "Create a new book from this item"
    owner.wait_for_selector(".messagelist .success")
    member.reload()
    assert offer.locator("button[value=move_progress]").inner_text() == "Move them to pat"
    shot(member, "10-member-offered-the-move")
    offer.locator("button[value=move_progress]").click()
    member.wait_for_selector(".messagelist li")
    assert "The progress is moved" in member.locator(".messagelist").inner_text()
    assert member.locator("#moves").count() == 0
    assert title not in member.locator("#routes").inner_text()  # no longer Sam's
    shot(member, "11-member-moved-the-progress")
    assert AudibleProgressHistory.objects.filter(user=pat, asin=HARRY[2], percent=30.0).exists()
    assert not AudibleProgressHistory.objects.filter(user=sam, asin=HARRY[2]).exists()
    assert ProgressMove.objects.get().outcome == "moved"
    # Playwright's greenlets may have opened connections the teardown cannot see.
    connections.close_all()
