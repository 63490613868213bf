"""The admin's household page: invite, accept, map, claim, answer; each person's own view.

Through Django's test client against the real admin site and PostgreSQL (server-rendered
forms: every action is a POST of the page's own form fields).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.models import User
from django.test import Client

from tests.support.factories import ConfigFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.core.roles import PERSON_GROUP
from tracker_api.households.models import Assignment
from tracker_api.households.models import CollectionRoute
from tracker_api.households.models import Membership
from tracker_api.households.models import TitleRoute
from tracker_api.households.models import WhoseQuestion

PAGE = "/admin/households/household/"
PASSWORD = "a-long-test-password-1"
SEALED = "sealed-blob-never-on-a-page"


def _person(name: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=PERSON_GROUP))
    return user


def _login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _post(client: Client, **fields) -> str:
    answer = client.post(PAGE, fields, follow=True)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.fixture
def people(db):
    pat, sam, kim = _person("pat"), _person("sam"), _person("kim")
    ConfigFactory(user=pat, sealed_auth=SEALED)
    return pat, sam, kim


def test_the_owner_invites_in_the_admin_and_the_invitee_accepts_there(people):
    pat, sam, kim = people
    owner, member = _login(pat), _login(sam)
    assert "Make my connection a household" in owner.get(PAGE).content.decode()
    _post(owner, action="create", name="The Smiths")
    assert "Sam is invited." in _post(owner, action="invite", username="sam")  # capfirst
    page = member.get(PAGE).content.decode()
    assert "pat invites you to" in page
    invitation = sam.household_invitations.get()
    assert "You joined the household." in _post(member, action="accept", invitation=invitation.pk)
    assert Membership.objects.filter(user=sam, left_at__isnull=True).exists()
    refused = _post(member, action="invite", username="kim")
    assert "Only the owner" in refused
    assert not kim.household_invitations.exists()
    assert SEALED not in member.get(PAGE).content.decode()


def test_members_route_their_own_titles_and_see_only_their_routes(people):
    pat, sam, _kim = people
    owner, member = _login(pat), _login(sam)
    _post(owner, action="create")
    _post(owner, action="invite", username="sam")
    _post(member, action="accept", invitation=sam.household_invitations.get().pk)
    _post(owner, action="map_collection", collection_name="Sam", person=sam.pk)
    assert CollectionRoute.objects.get().person == sam
    _post(member, action="assign", asin="B0W72Y89K8")
    assert Assignment.objects.get().person == sam
    home = Membership.objects.get(user=sam).household
    TitleRoute.objects.create(household=home, asin="B0W72Y89K8", person=sam, reason="assignment")
    TitleRoute.objects.create(household=home, asin="B0SECRET01", person=pat, reason="default")
    AudibleBookMapping.objects.create(
        user=sam, asin="B0W72Y89K8", match_method="created", item={"title": "Dune"}
    )
    page = member.get(PAGE).content.decode()
    assert "Dune" in page
    assert "B0SECRET01" not in page
    assert "B0SECRET01" in owner.get(PAGE).content.decode()
    question = WhoseQuestion.objects.create(
        household=home, asin="B07D4Z1S78", item={"title": "The Hobbit", "authors": ["Tolkien"]}
    )
    assert "The Hobbit" in member.get(PAGE).content.decode()
    _post(member, action="answer", question=question.pk, person=pat.pk)
    question.refresh_from_db()
    assert (question.status, question.answer) == ("answered", pat)
    assert "You left the household" in _post(member, action="leave")


def test_a_title_waiting_in_a_conflict_shows_its_name_not_its_asin(people):
    pat, sam, _kim = people
    owner, member = _login(pat), _login(sam)
    _post(owner, action="create")
    _post(owner, action="invite", username="sam")
    _post(member, action="accept", invitation=sam.household_invitations.get().pk)
    home = Membership.objects.get(user=sam).household
    TitleRoute.objects.create(household=home, asin="B0WAITING1", person=sam, reason="rule")
    AudibleConflict.objects.create(
        user=sam, asin="B0WAITING1", item={"title": "A Made-Up Saga, Book 2"}
    )
    page = member.get(PAGE).content.decode()
    assert "A Made-Up Saga, Book 2" in page
    assert "B0WAITING1" not in page.split("My titles", 1)[-1].split("</table>", 1)[0]
    # The owner sees another member's title by its ASIN, as before: sam's tracker is sam's.
    assert "A Made-Up Saga" not in owner.get(PAGE).content.decode()


def test_a_person_outside_sees_nothing_of_the_household(people):
    pat, _sam, kim = people
    _post(_login(pat), action="create", name="The Smiths")
    page = _login(kim).get(PAGE).content.decode()
    assert "The Smiths" not in page
    assert "No household" in page
