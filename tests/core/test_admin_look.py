"""The admin looks like the product: its own name (not "Django administration"), a favicon
that exists, "View site" leading to the dashboard, and model names capitalised one way."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.audible_sync.person_client import logged_in
from tests.audible_sync.person_client import make_person
from tracker_api.core.branding import PRODUCT_NAME

pytestmark = pytest.mark.django_db


def test_the_product_name_replaces_django_administration(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f"<title>Your books and Audible sync | {PRODUCT_NAME}</title>" in page
    assert re.search(rf'<div id="site-name"><a href="/admin/">.*{PRODUCT_NAME}</a></div>', page)
    assert "Django administration" not in page
    assert "Django site admin" not in page
    login = admin_client.get(reverse("admin:logout"))  # any page: the login page too
    assert login.status_code in (200, 302, 405)


def test_the_favicon_is_linked_and_served(client, admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page).group(1)
    assert href.endswith("core/favicon.svg")
    assert finders.find("core/favicon.svg")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert icon.content.startswith(b"<svg")


def test_view_site_goes_to_the_dashboard():
    client = logged_in(make_person("reader"))
    page = client.get(reverse("admin:index")).content.decode()
    dashboard = reverse("admin:audible_sync_dashboard")
    assert f'<a href="{dashboard}">View site</a>' in page
    assert client.get(dashboard).status_code == 200


def test_model_names_are_capitalised_one_way(admin_client):
    page = admin_client.get(reverse("admin:app_list", args=["audible_sync"])).content.decode()
    names = re.findall(r'<th scope="row"[^>]*>\s*<a href="[^"]*">([^<]+)</a>', page)
    audible = [name for name in names if name.lower().startswith("audible")]
    assert len(audible) >= 6
    assert all(name.startswith("Audible ") for name in audible), audible
    changelist = admin_client.get(reverse("admin:audible_sync_audibleconflict_changelist"))
    assert "Select Audible conflict to change" in changelist.content.decode()


def test_one_date_format_on_a_page(admin_client, alice):
    from datetime import UTC
    from datetime import datetime

    from tests.support.factories import SyncLogFactory

    log = SyncLogFactory(user=alice, started_at=datetime(2026, 12, 3, 7, 30, tzinfo=UTC))
    page = admin_client.get(
        reverse("admin:audible_sync_audiblesynclog_change", args=[log.pk])
    ).content.decode()
    assert "2026-12-03 07:30" in page
    assert "Dec. 3, 2026" not in page
    assert "a.m." not in page
