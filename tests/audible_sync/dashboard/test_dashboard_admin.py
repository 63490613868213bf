"""The dashboard in the admin: who may see whose, what each panel shows, the links to it, and
a query count that does not grow with the person's data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/audible_sync/dashboard/"


def user_url(user) -> str:
    return f"{DASHBOARD}{user.pk}/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staffer", password="pw-staff-123", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_urls_are_named():
    assert reverse("admin:audible_sync_dashboard") == DASHBOARD
    assert reverse("admin:audible_sync_dashboard_user", args=[7]) == f"{DASHBOARD}7/"


def test_anonymous_and_non_staff_get_the_admin_login(client, alice):
    for url in (DASHBOARD, user_url(alice)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.force_login(alice)  # active, not staff
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_see_their_own_dashboard_without_a_picker(staff_client, staff):
    ConfigFactory(user=staff)
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["person"] == staff
    page = response.content.decode()
    assert "Audible dashboard: staffer" in page
    assert 'id="dash-user"' not in page
    assert staff_client.get(user_url(staff)).status_code == 200


def test_staff_may_not_open_another_persons_dashboard(staff_client, alice):
    assert staff_client.get(user_url(alice)).status_code == 403
    # ?user= is only a shortcut to the same URL, checked the same way
    response = staff_client.get(f"{DASHBOARD}?user={alice.pk}", follow=True)
    assert response.status_code == 403


def test_superusers_pick_anyone(admin_client, admin_user, alice, bob):
    ConfigFactory(user=alice)
    ConfigFactory(user=bob)
    response = admin_client.get(DASHBOARD)
    assert response.context["person"] == admin_user  # defaults to themselves
    names = [option["name"] for option in response.context["picker"]]
    assert names == ["admin", "alice", "bob"]
    response = admin_client.get(f"{DASHBOARD}?user={bob.pk}")
    assert response.status_code == 302
    assert response["Location"] == user_url(bob)
    response = admin_client.get(user_url(bob))
    assert response.context["person"] == bob
    assert f'<option value="{bob.pk}" selected>bob</option>' in response.content.decode()
    assert admin_client.get(f"{DASHBOARD}999999/").status_code == 404


def test_every_panel_shows_the_persons_data(admin_client, alice, bob):
    now = timezone.now()
    ConfigFactory(
        user=alice,
        needs_relogin=True,
        account={"customer_name": "Alice Listener", "locale": "uk"},
        rate_limited_until=now + timedelta(hours=2),
    )
    SyncLogFactory(
        user=alice,
        status="failed",
        trigger="manual",
        duration_ms=2300,
        items_seen=41,
        error="Audible asks the person to log in again.",
    )
    SyncLogFactory(user=alice, status="ok", started_at=now - timedelta(days=1), linked=7)
    for n in range(6):
        ConflictFactory(user=alice, item={"title": f"Conflicted <b>{n}</b>"})
    book = BookFactory(user=alice, title="The Name of the Wind", status="reading")
    mapping = MappingFactory(user=alice, book=book, last_percent=23.94)
    HistoryFactory(
        mapping=mapping, percent=23.94, previous_percent=10.0, recorded_at=now - timedelta(days=2)
    )
    HistoryFactory(
        mapping=MappingFactory(user=alice),
        percent=100.0,
        previous_percent=90.0,
        is_finished=True,
        recorded_at=now,
    )
    ConflictFactory(user=bob, item={"title": "Not Alice's"})

    response = admin_client.get(user_url(alice))
    page = response.content.decode()
    # health
    assert "Needs re-login" in page
    assert "Alice Listener" in page
    assert "Audible asked us to wait until" in page
    # syncs
    assert page.count('class="dash-sync-row"') == 2
    assert "audible-badge-red" in page
    assert "2.3 s" in page
    assert "Audible asks the person to log in again." in page
    # conflicts: the count, five newest, escaped, and the filtered list
    assert 'class="dash-conflict-count">6</a>' in page
    assert "Conflicted &lt;b&gt;5&lt;/b&gt;" in page
    assert "Conflicted &lt;b&gt;0&lt;/b&gt;" not in page  # only the five newest
    assert "Not Alice" not in page
    assert f"audibleconflict/?status__exact=open&amp;user__id__exact={alice.pk}" in page
    # listening
    assert "The Name of the Wind" in page
    assert 'aria-valuenow="23.9"' in page
    assert "width: 23.9%" in page
    # charts: time listened, not percentage points (nothing stored yet: the empty states)
    assert "percentage points" not in page
    assert "No listening in the last 30 days" in str(response.context["day_chart"])


def test_filtered_links_narrow_to_the_person(admin_client, alice, bob):
    ConflictFactory(user=alice)
    ConflictFactory(user=bob)
    url = reverse("admin:audible_sync_audibleconflict_changelist")
    response = admin_client.get(f"{url}?status__exact=open&user__id__exact={alice.pk}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    SyncLogFactory(user=alice)
    url = reverse("admin:audible_sync_audiblesynclog_changelist")
    response = admin_client.get(f"{url}?user__id__exact={bob.pk}")
    assert response.context["cl"].result_count == 0


def test_a_person_without_anything_sees_empty_panels(admin_client, alice):
    page = admin_client.get(user_url(alice)).content.decode()
    assert "Not connected" in page
    assert "No sync yet." in page
    assert "Nothing to decide." in page
    assert "No Audible book is in progress." in page
    assert "No listening in the last 30 days" in page


def test_linked_from_the_index_and_the_config(admin_client, alice):
    ConfigFactory(user=alice)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert f'href="{DASHBOARD}"' in index
    app = admin_client.get(reverse("admin:app_list", args=["audible_sync"])).content.decode()
    assert f'href="{DASHBOARD}"' in app
    config = alice.audible_config
    page = admin_client.get(
        reverse("admin:audible_sync_audibleconfig_change", args=[config.pk])
    ).content.decode()
    assert f'href="{user_url(alice)}"' in page
    listing = admin_client.get(reverse("admin:audible_sync_audibleconfig_changelist"))
    assert f'href="{user_url(alice)}"' in listing.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_data(admin_client, alice, django_assert_max_num_queries):
    ConfigFactory(user=alice)
    now = timezone.now()

    def fill(count: int) -> None:
        for n in range(count):
            book = BookFactory(user=alice, status="reading")
            mapping = MappingFactory(user=alice, book=book, last_percent=float(n % 90))
            HistoryFactory(
                mapping=mapping,
                percent=float(n % 90 + 5),
                previous_percent=float(n % 90),
                recorded_at=now - timedelta(days=n % 30),
            )
            SyncLogFactory(user=alice, started_at=now - timedelta(hours=n))
            ConflictFactory(user=alice)

    fill(5)
    few = _queries(admin_client, user_url(alice))
    fill(45)
    with django_assert_max_num_queries(few):
        page = admin_client.get(user_url(alice)).content.decode()
    assert page.count('class="dash-listening-row"') == 20
    assert page.count('class="dash-sync-row"') == 10
