"""The person's settings page refuses what the API refuses, with the API's own sentences."""

from __future__ import annotations

import pytest

from tests.audible_sync.person_client import logged_in
from tests.audible_sync.person_client import make_person
from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleConfig

pytestmark = pytest.mark.django_db
PAGE = "/admin/audible_sync/settings/"
VALID = {
    "enabled": "on",
    "auto_sync": "on",
    "sync_interval_minutes": "120",
    "daily_sync_cap": "6",
    "import_policy": "started",
}


@pytest.fixture
def fay(db):
    return make_person("fay")


def _api_errors(user, body) -> dict:
    answer = token_client(user).patch("/api/audible/config", body, format="json")
    assert answer.status_code == 400
    return answer.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sync_interval_minutes", 5),
        ("sync_interval_minutes", 99999),
        ("daily_sync_cap", 0),
        ("daily_sync_cap", 500),
    ],
)
def test_a_refused_value_reads_as_the_api_says_it(fay, field, value):
    expected = _api_errors(fay, {field: value})[field]
    answer = logged_in(fay).post(PAGE, {**VALID, field: str(value)})
    assert answer.status_code == 200
    assert answer.context["form"].errors[field] == expected
    assert expected[0] in answer.content.decode().replace("&#x27;", "'")
    config = AudibleConfig.objects.filter(user=fay).first()
    assert config is None or getattr(config, field) != value  # nothing saved


def test_the_floor_comes_from_the_environment_as_for_the_api(fay, settings):
    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 60
    answer = logged_in(fay).post(PAGE, {**VALID, "sync_interval_minutes": "30"})
    assert answer.context["form"].errors["sync_interval_minutes"] == [
        "Must be at least 60 minutes."
    ]


def test_saving_changes_the_persons_settings_and_reschedules(fay):
    client = logged_in(fay)
    assert client.get(PAGE).status_code == 200
    answer = client.post(PAGE, {**VALID, "import_podcasts": "on"}, follow=True)
    assert answer.redirect_chain[-1][0] == PAGE
    assert "Your sync settings are saved." in answer.content.decode()
    config = AudibleConfig.objects.get(user=fay)
    assert (
        config.sync_interval_minutes,
        config.daily_sync_cap,
        config.import_policy,
        config.import_podcasts,
        config.auto_sync,
    ) == (120, 6, "started", True, True)
    client.post(PAGE, {**VALID, "auto_sync": ""})  # an unticked box is off
    assert AudibleConfig.objects.get(user=fay).auto_sync is False
    assert token_client(fay).get("/api/audible/config").json()["sync_interval_minutes"] == 120


def test_the_config_change_page_speaks_the_same_sentences(fay):
    AudibleConfig.objects.create(user=fay)
    config = AudibleConfig.objects.get(user=fay)
    answer = logged_in(fay).post(
        f"/admin/audible_sync/audibleconfig/{config.pk}/change/", {**VALID, "daily_sync_cap": "500"}
    )
    expected = _api_errors(fay, {"daily_sync_cap": 500})["daily_sync_cap"]
    assert answer.context["adminform"].form.errors["daily_sync_cap"] == expected


def test_view_only_staff_cannot_save(django_user_model):
    from django.contrib.auth.models import Permission

    from tests.audible_sync.person_client import PASSWORD

    vera = django_user_model.objects.create_user("vera", "v@example.com", PASSWORD, is_staff=True)
    vera.user_permissions.add(Permission.objects.get(codename="view_audibleconfig"))
    client = logged_in(vera)
    assert client.get(PAGE).status_code == 200
    assert client.post(PAGE, VALID).status_code == 403
    assert not AudibleConfig.objects.filter(user=vera).exists()
