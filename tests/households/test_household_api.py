"""``/api/household``: who may do what, the one error shape, and each person's own view."""

from __future__ import annotations

import pytest

from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tracker_api.households.models import Membership
from tracker_api.households.models import TitleRoute

SEALED = "sealed-blob-that-must-never-show"


@pytest.fixture
def people(db):
    pat, sam, alex, kim = (UserFactory(username=n) for n in ("pat", "sam", "alex", "kim"))
    ConfigFactory(user=pat, sealed_auth=SEALED)
    return pat, sam, alex, kim


def _code(answer) -> str:
    return answer.json()["error"]["code"]


def _join(owner_api, person) -> None:
    made = owner_api.post(
        "/api/household/invitations", {"username": person.username}, format="json"
    )
    assert made.status_code == 201, made.json()
    accepted = token_client(person).post(f"/api/household/invitations/{made.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.json()


@pytest.fixture
def home(people):
    pat, sam, alex, _kim = people
    api = token_client(pat)
    assert api.post("/api/household", {"name": "The Smiths"}, format="json").status_code == 201
    _join(api, sam)
    _join(api, alex)
    return people


def test_the_owner_invites_and_the_invitee_alone_accepts(home):
    pat, sam, alex, kim = home
    body = token_client(sam).get("/api/household").json()
    assert [m["username"] for m in body["members"]] == ["pat", "sam", "alex"]
    assert (body["owner"], body["you_own_it"]) == ("pat", False)
    assert SEALED not in str(body)
    refused = token_client(sam).post(
        "/api/household/invitations", {"username": "kim"}, format="json"
    )
    assert (refused.status_code, _code(refused)) == (403, "household_not_owner")
    invitation = (
        token_client(pat)
        .post("/api/household/invitations", {"username": "kim"}, format="json")
        .json()
    )
    stolen = token_client(alex).post(f"/api/household/invitations/{invitation['id']}/accept")
    assert stolen.status_code == 404
    assert not Membership.objects.filter(user=kim).exists()


def test_a_person_with_their_own_connection_must_disconnect_first(home):
    pat, _sam, _alex, kim = home
    ConfigFactory(user=kim, sealed_auth="kims-own")
    invitation = (
        token_client(pat)
        .post("/api/household/invitations", {"username": "kim"}, format="json")
        .json()
    )
    answer = token_client(kim).post(f"/api/household/invitations/{invitation['id']}/accept")
    assert (answer.status_code, _code(answer)) == (409, "household_own_connection")


def test_nobody_outside_sees_the_household_and_the_owner_cannot_leave(home):
    pat, sam, _alex, kim = home
    answer = token_client(kim).get("/api/household")
    assert (answer.status_code, _code(answer)) == (404, "household_none")
    answer = token_client(pat).post("/api/household/leave")
    assert (answer.status_code, _code(answer)) == (409, "household_owner_stays")
    assert token_client(sam).post("/api/household/leave").status_code == 204
    assert token_client(sam).get("/api/household").status_code == 404


def test_members_claim_for_themselves_and_only_the_owner_gives_titles_away(home):
    pat, sam, alex, kim = home
    mine = token_client(sam).post(
        "/api/household/assignments", {"asin": "B0W72Y89K8"}, format="json"
    )
    assert (mine.status_code, mine.json()["person"]) == (201, sam.pk)
    theirs = token_client(sam).post(
        "/api/household/assignments", {"asin": "B0W72Y89K9", "person": alex.pk}, format="json"
    )
    assert (theirs.status_code, _code(theirs)) == (403, "household_not_owner")
    given = token_client(pat).post(
        "/api/household/assignments", {"asin": "B0W72Y89K9", "person": alex.pk}, format="json"
    )
    assert given.status_code == 201
    assert [a["asin"] for a in token_client(sam).get("/api/household/assignments").json()] == [
        "B0W72Y89K8"
    ]
    outsider = token_client(pat).post(
        "/api/household/assignments", {"asin": "B0W72Y89K7", "person": kim.pk}, format="json"
    )
    assert (outsider.status_code, _code(outsider)) == (400, "household_not_member")


def test_bodies_are_strict_and_collections_are_the_owners(home):
    pat, sam, alex, _kim = home
    typo = token_client(pat).post(
        "/api/household/rules", {"kind": "author", "valeu": "X"}, format="json"
    )
    assert typo.status_code == 400
    assert _code(typo) == "unknown_field"
    answer = token_client(sam).post(
        "/api/household/collections", {"collection_name": "Sam", "person": sam.pk}, format="json"
    )
    assert _code(answer) == "household_not_owner"
    made = token_client(pat).post(
        "/api/household/collections", {"collection_name": "Sam", "person": sam.pk}, format="json"
    )
    assert made.status_code == 201
    rule = token_client(alex).post(
        "/api/household/rules", {"kind": "narrator", "value": "Jim Dale"}, format="json"
    )
    assert (rule.status_code, rule.json()["person"]) == (201, alex.pk)
    again = token_client(alex).post(
        "/api/household/rules", {"kind": "narrator", "value": "jim dale"}, format="json"
    )
    assert _code(again) == "household_rule_exists"


def test_routes_are_each_persons_own_and_all_of_them_for_the_owner(home):
    pat, sam, alex, _kim = home
    household = Membership.objects.get(user=sam).household
    for asin, person in (("A1", sam), ("A2", alex), ("A3", pat)):
        TitleRoute.objects.create(household=household, asin=asin, person=person, reason="rule")
    assert [r["asin"] for r in token_client(sam).get("/api/household/routes").json()] == ["A1"]
    assert len(token_client(pat).get("/api/household/routes").json()) == 3
