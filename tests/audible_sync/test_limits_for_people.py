"""Who may skip limits: force is an operator's; Audible's back-off holds for everyone.

Real parts: the sandbox and the gateway on loopback (tests/support/stack.py), the
sync service, the REST API and the command. The sandbox counts every request it serves, so
"Audible was not asked" is read from its counter, not assumed.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import SyncRateLimited
from tracker_api.audible_sync.sync import run_sync
from tracker_api.core.roles import PERSON_GROUP

pytestmark = pytest.mark.django_db
LIBRARY = "/1.0/library"


def library_calls(stack) -> int:
    return stack.state.calls_to(LIBRARY, "GET")


@pytest.fixture
def person(listener):
    """The listener as a person: staff in the person group, not a superuser."""
    listener.is_staff = True
    listener.save()
    listener.groups.add(Group.objects.get(name=PERSON_GROUP))
    return listener


def test_a_person_may_not_force(person, stack):
    before = library_calls(stack)
    answer = token_client(person).post("/api/audible/sync", {"force": True}, format="json")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "force_not_allowed"
    assert library_calls(stack) == before


def test_the_dedicated_permission_lets_a_non_superuser_force(person):
    client = token_client(person)
    assert client.post("/api/audible/sync", {}, format="json").status_code == 200
    assert client.post("/api/audible/sync", {}, format="json").status_code == 429
    person.user_permissions.add(Permission.objects.get(codename="force_sync"))
    person = type(person).objects.get(pk=person.pk)  # fresh permission cache
    client = token_client(person)
    assert client.post("/api/audible/sync", {"force": True}, format="json").status_code == 200


def _back_off(user, minutes: int = 30):
    until = timezone.now().replace(microsecond=0) + timedelta(minutes=minutes)
    AudibleConfig.objects.filter(user=user).update(rate_limited_until=until)
    return until


@pytest.mark.parametrize(
    "how",
    ["api", "api forced by an operator", "api dry run", "manual forced", "command forced"],
)
def test_no_sync_asks_audible_while_its_back_off_holds(person, stack, how):
    until = _back_off(person)
    if "operator" in how:
        person.is_superuser = True
        person.save()
    stack.state.reset_calls()
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")

    if how.startswith("api"):
        body = {"force": "forced" in how, "dry_run": "dry" in how}
        answer = token_client(person).post("/api/audible/sync", body, format="json")
        assert answer.status_code == 429
        error = answer.json()["error"]
        assert error["code"] == "sync_rate_limited"
        assert when in error["message"]
        assert "Audible asked us to wait" in error["message"]
        assert 1700 <= error["retry_after"] <= 1800
    elif how == "manual forced":
        with pytest.raises(SyncRateLimited) as refused:
            run_sync(person, trigger="manual", force=True)
        assert refused.value.retry_at == until
    else:
        out = io.StringIO()
        call_command("audible_sync", "--user", person.username, "--force", stdout=out)
        assert "skipped: Audible asked us to wait" in out.getvalue()
        assert when in out.getvalue()

    assert library_calls(stack) == 0
    assert stack.state.snapshot()["calls"] == {}  # nothing at all reached the sandbox
    skipped = AudibleSyncLog.objects.get(user=person)
    assert skipped.status == "skipped"
    assert when in skipped.error


def test_after_the_back_off_a_sync_goes_through(person, stack):
    AudibleConfig.objects.filter(user=person).update(
        rate_limited_until=timezone.now() - timedelta(seconds=1)
    )
    before = library_calls(stack)
    assert run_sync(person, trigger="manual").status == "ok"
    assert library_calls(stack) > before


def test_a_dry_run_counts_towards_the_interval(person, stack):
    assert run_sync(person, trigger="manual", dry_run=True).status == "ok"
    before = library_calls(stack)
    with pytest.raises(SyncRateLimited):
        run_sync(person, trigger="manual")
    with pytest.raises(SyncRateLimited):
        run_sync(person, trigger="manual", dry_run=True)
    assert library_calls(stack) == before
    assert run_sync(person, trigger="command", force=True).status == "ok"  # manage.py --force
