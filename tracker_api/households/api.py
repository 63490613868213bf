"""``/api/household``: a household over REST, for its owner and its members.

Everything here is the signed-in person's view: the household they are in (members by name,
never the connection's sealed blob), invitations addressed to them or sent by them, their own
assignments and routes (the owner, whose connection it is, sees every title's route), and the
open "whose is this?" questions (every member can answer one). Rules of who may do what live in
:mod:`tracker_api.households.membership` and :mod:`tracker_api.households.sync`.
"""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.core.schema import ErrorSerializer
from tracker_api.core.strict import StrictBodyMixin
from tracker_api.households import membership
from tracker_api.households import reassign
from tracker_api.households import sync as household_sync
from tracker_api.households.membership import refused
from tracker_api.households.models import Assignment
from tracker_api.households.models import CollectionRoute
from tracker_api.households.models import Household
from tracker_api.households.models import Invitation
from tracker_api.households.models import InvitationStatus
from tracker_api.households.models import PersonRule
from tracker_api.households.models import ProgressMove
from tracker_api.households.models import QuestionStatus
from tracker_api.households.models import RuleKind
from tracker_api.households.models import TitleRoute
from tracker_api.households.models import Unrouted
from tracker_api.households.models import WhoseQuestion

TAG = "household"
# Every household refusal is one of these (the one error shape, a household_* code).
ERRORS = {code: ErrorSerializer for code in (400, 403, 404, 409)}
NONE = "household_none"


def _user(request: Request) -> Any:
    """The signed-in person (every view here requires authentication)."""
    return cast(Any, request.user)


def _uid(request: Request) -> int:
    return int(cast(Any, request.user).pk)


def _mine(request: Request) -> Household:
    household = membership.household_of(_uid(request))
    if household is None:
        raise refused(NONE, "You are not in a household.", status.HTTP_404_NOT_FOUND)
    return household


def _owner_only(household: Household, request: Request) -> None:
    if _uid(request) != household.owner_id:
        raise refused(
            "household_not_owner",
            "Only the owner of the household's Audible connection can do this.",
            status.HTTP_403_FORBIDDEN,
        )


def _names(ids: list[int]) -> dict[int, str]:
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))


# --------------------------------------------------------------------------- serializers
class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_owner = serializers.BooleanField()


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = serializers.CharField()
    you_own_it = serializers.BooleanField()
    unrouted = serializers.ChoiceField(choices=Unrouted.choices)
    default_person = serializers.IntegerField(allow_null=True)
    members = MemberSerializer(many=True)


def household_body(household: Household, viewer_id: int) -> dict[str, Any]:
    ids = membership.member_ids(household)
    names = _names(ids)
    return {
        "id": household.pk,
        "name": household.name,
        "owner": names.get(household.owner_id, ""),
        "you_own_it": viewer_id == household.owner_id,
        "unrouted": household.unrouted,
        "default_person": household.default_person_id,
        "members": [
            {"id": i, "username": names.get(i, ""), "is_owner": i == household.owner_id}
            for i in ids
        ],
    }


class HouseholdCreateSerializer(StrictBodyMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HouseholdSettingsSerializer(StrictBodyMixin, serializers.Serializer):
    unrouted = serializers.ChoiceField(choices=Unrouted.choices, required=False)
    default_person = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class InviteSerializer(StrictBodyMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)


class InvitationSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.__str__", read_only=True)
    invitee = serializers.CharField(source="invitee.username", read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "household", "invitee", "invited_by", "status", "created_at"]


class AssignSerializer(StrictBodyMixin, serializers.Serializer):
    asin = serializers.RegexField(r"^[A-Za-z0-9]{10,20}$")
    person = serializers.IntegerField(required=False, help_text="A member; default: me.")


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "asin", "person", "assigned_by", "updated_at"]


class CollectionRouteRequest(StrictBodyMixin, serializers.Serializer):
    collection_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    collection_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    person = serializers.IntegerField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("collection_id") or attrs.get("collection_name")):
            raise serializers.ValidationError(
                {"collection_name": ["Give the collection's id or its name."]}
            )
        return attrs


class CollectionRouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CollectionRoute
        fields = ["id", "collection_id", "collection_name", "person", "created_at"]


class RuleRequest(StrictBodyMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    value = serializers.CharField(max_length=300)
    person = serializers.IntegerField(required=False, help_text="A member; default: me.")


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonRule
        fields = ["id", "kind", "value", "person", "created_at"]


class RouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = TitleRoute
        fields = ["asin", "person", "reason", "detail", "previous_person", "decided_at"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WhoseQuestion
        fields = ["id", "asin", "item", "status", "answer", "created_at"]


class OfferSerializer(serializers.Serializer):
    asin = serializers.CharField()
    title = serializers.CharField(help_text="The title as the person who lost it has it.")
    from_person = serializers.IntegerField(help_text="Who lost the title (their rows).")
    to_person = serializers.IntegerField(help_text="Whose it is now.")
    reason = serializers.CharField(help_text="Why it is theirs now (the route's reason).")
    reads = serializers.IntegerField(help_text="Audible reads on the old person's book.")
    history = serializers.IntegerField(help_text="Progress history rows of the old person.")
    ready = serializers.BooleanField(
        help_text="The new person's tracker holds the title as a book; until then a move is "
        "refused (household_move_not_ready): the next sync, or resolving their conflict."
    )


class MoveRequest(StrictBodyMixin, serializers.Serializer):
    asin = serializers.CharField(max_length=20, help_text="A title offered by GET.")


class MoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressMove
        fields = [
            "id", "asin", "from_person", "to_person", "by", "outcome", "why",
            "reads_copied", "history_copied", "moved_at",
        ]  # fmt: skip


class AnswerSerializer(StrictBodyMixin, serializers.Serializer):
    person = serializers.IntegerField(help_text="The member whose title it is.")


HOUSEHOLD_EXAMPLE = {
    "id": 1, "name": "The Smiths", "owner": "pat", "you_own_it": False, "unrouted": "default",
    "default_person": None,
    "members": [{"id": 1, "username": "pat", "is_owner": True},
                {"id": 2, "username": "sam", "is_owner": False}],
}  # fmt: skip
ROUTE_EXAMPLE = {
    "asin": "B0AXFG8RRU", "person": 2, "reason": "collection",
    "detail": 'in the collection "Sam"', "previous_person": None,
    "decided_at": "2026-12-03T08:00:00Z",
}  # fmt: skip


def _example(name: str, value: Any, *, request: bool = False) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=request, response_only=not request)


def _member(household: Household, person: int | None, request: Request) -> int:
    person = _uid(request) if person is None else person
    if not membership.is_member(household, person):
        raise refused("household_not_member", "That person is not in this household.", 400)
    return person


# --------------------------------------------------------------------------- views
class HouseholdView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="My household",
        responses={200: HouseholdSerializer, **ERRORS},
        examples=[_example("A member's view", HOUSEHOLD_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        return Response(household_body(_mine(request), _uid(request)))

    @extend_schema(
        tags=[TAG],
        summary="Make my Audible connection a household (I own it)",
        request=HouseholdCreateSerializer,
        responses={201: HouseholdSerializer, **ERRORS},
        examples=[
            _example("Create", {"name": "The Smiths"}, request=True),
            _example("Created", {**HOUSEHOLD_EXAMPLE, "you_own_it": True}),
        ],
    )
    def post(self, request: Request) -> Response:
        body = HouseholdCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        household = membership.create_household(_user(request), name=body.validated_data["name"])
        return Response(household_body(household, _uid(request)), status=201)

    @extend_schema(
        tags=[TAG],
        summary="Change how unrouted titles go (owner)",
        request=HouseholdSettingsSerializer,
        responses={200: HouseholdSerializer, **ERRORS},
        examples=[_example("Ask", {"unrouted": "ask"}, request=True)],
    )
    def patch(self, request: Request) -> Response:
        household = _mine(request)
        _owner_only(household, request)
        body = HouseholdSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "default_person" in data:
            person = data["default_person"]
            household.default_person_id = (
                None if person is None else _member(household, person, request)
            )
        for name in ("unrouted", "name"):
            if name in data:
                setattr(household, name, data[name])
        household.save()
        return Response(household_body(household, _uid(request)))


class InvitationListView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Invitations to me, and those I sent",
        responses={200: InvitationSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"id": 3, "household": "The Smiths", "invitee": "sam",
                                    "invited_by": "pat", "status": "pending",
                                    "created_at": "2026-12-03T08:00:00Z"}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        rows = Invitation.objects.filter(invitee=_user(request)) | Invitation.objects.filter(
            invited_by=_user(request)
        )
        rows = rows.select_related("household__connection__user", "invitee", "invited_by")
        return Response(InvitationSerializer(rows.order_by("-id")[:200], many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Invite a person to my household (owner)",
        request=InviteSerializer,
        responses={201: InvitationSerializer, **ERRORS},
        examples=[_example("Invite", {"username": "sam"}, request=True)],
    )
    def post(self, request: Request) -> Response:
        household = _mine(request)
        body = InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitee = get_user_model().objects.filter(username=body.validated_data["username"]).first()
        if invitee is None:
            raise refused("household_no_such_person", "There is no such person.", 404)
        invitation = membership.invite(household, invitee, by=_user(request))
        return Response(InvitationSerializer(invitation).data, status=201)


def _pending(request: Request, pk: int) -> Invitation:
    """An invitation addressed to the signed-in person and not answered yet (else 404)."""
    return get_object_or_404(
        Invitation, pk=pk, invitee=_user(request), status=InvitationStatus.PENDING
    )


class InvitationAcceptView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Accept an invitation addressed to me",
        request=None,
        responses={200: HouseholdSerializer, **ERRORS},
        examples=[_example("Joined", HOUSEHOLD_EXAMPLE)],
    )
    def post(self, request: Request, pk: int) -> Response:
        joined = membership.accept(_pending(request, pk), by=_user(request))
        return Response(household_body(joined.household, _uid(request)))


class InvitationDeclineView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Decline an invitation addressed to me",
        request=None,
        responses={200: InvitationSerializer, **ERRORS},
        examples=[_example("Declined", {"id": 3, "household": "The Smiths", "invitee": "sam",
                                        "invited_by": "pat", "status": "declined",
                                        "created_at": "2026-12-03T08:00:00Z"})],
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        invitation = membership.decline(_pending(request, pk), by=_user(request))
        return Response(InvitationSerializer(invitation).data)


class LeaveView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Leave my household (my reads and history stay mine)",
        request=None,
        responses={204: None, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        membership.leave(_mine(request), _uid(request), by=_user(request))
        return Response(status=204)


class AssignmentView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="My explicit assignments (the owner: all)",
        responses={200: AssignmentSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"id": 1, "asin": "B0W72Y89K8", "person": 3,
                                    "assigned_by": 3, "updated_at": "2026-12-03T08:00:00Z"}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        household = _mine(request)
        rows = household.assignments.order_by("asin")
        if _uid(request) != household.owner_id:
            rows = rows.filter(person=_user(request))
        return Response(AssignmentSerializer(rows[:5000], many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Claim a title (the owner may give it to any member)",
        request=AssignSerializer,
        responses={201: AssignmentSerializer, **ERRORS},
        examples=[_example("Mine", {"asin": "B0W72Y89K8"}, request=True)],
    )
    def post(self, request: Request) -> Response:
        household = _mine(request)
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = body.validated_data.get("person", _uid(request))
        made = household_sync.assign(
            household, body.validated_data["asin"], person, by=_user(request)
        )
        return Response(AssignmentSerializer(made).data, status=201)


class CollectionRouteView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Audible collections mapped to members (owner)",
        responses={200: CollectionRouteSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"id": 1, "collection_id": "", "collection_name": "Sam",
                                    "person": 2, "created_at": "2026-12-03T08:00:00Z"}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        household = _mine(request)
        _owner_only(household, request)
        rows = household.collection_routes.all()
        return Response(CollectionRouteSerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Map an Audible collection (by id or name) to a member (owner)",
        request=CollectionRouteRequest,
        responses={201: CollectionRouteSerializer, **ERRORS},
        examples=[_example("By name", {"collection_name": "Sam", "person": 2}, request=True)],
    )
    def post(self, request: Request) -> Response:
        household = _mine(request)
        _owner_only(household, request)
        body = CollectionRouteRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = _member(household, data["person"], request)
        ident = data.get("collection_id") or ""
        if ident and household.collection_routes.filter(collection_id=ident).exists():
            raise refused("household_collection_mapped", "That collection is mapped.")
        row = CollectionRoute.objects.create(
            household=household,
            collection_id=ident,
            collection_name=data.get("collection_name") or "",
            person_id=person,
        )
        return Response(CollectionRouteSerializer(row).data, status=201)


class RuleView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="My routing rules (the owner: all)",
        responses={200: RuleSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"id": 1, "kind": "author", "value": "Brandon Sanderson",
                                    "person": 3, "created_at": "2026-12-03T08:00:00Z"}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        household = _mine(request)
        rows = household.rules.all()
        if _uid(request) != household.owner_id:
            rows = rows.filter(person=_user(request))
        return Response(RuleSerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Add a rule: a series, author, narrator or category goes to a member",
        request=RuleRequest,
        responses={201: RuleSerializer, **ERRORS},
        examples=[_example("Author", {"kind": "author", "value": "Brandon Sanderson"},
                           request=True)],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        household = _mine(request)
        body = RuleRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = _member(household, data.get("person"), request)
        if person != _uid(request):
            _owner_only(household, request)
        value = data["value"].strip()
        if household.rules.filter(kind=data["kind"], value__iexact=value).exists():
            raise refused("household_rule_exists", "A rule for that already exists.")
        row = PersonRule.objects.create(
            household=household, person_id=person, kind=data["kind"], value=value
        )
        return Response(RuleSerializer(row).data, status=201)


class RouteListView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Where each title went and why (mine; the owner: all)",
        responses={200: RouteSerializer(many=True), **ERRORS},
        examples=[_example("One", [ROUTE_EXAMPLE])],
    )
    def get(self, request: Request) -> Response:
        household = _mine(request)
        rows = TitleRoute.objects.filter(household=household)
        if _uid(request) != household.owner_id:
            rows = rows.filter(person=_user(request))
        return Response(RouteSerializer(rows.order_by("asin")[:20000], many=True).data)


class QuestionListView(APIView):
    @extend_schema(
        tags=[TAG],
        summary='Open "whose is this?" questions of my household',
        responses={200: QuestionSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"id": 4, "asin": "B07D4Z1S78",
                                    "item": {"title": "The Hobbit"}, "status": "open",
                                    "answer": None, "created_at": "2026-12-03T08:00:00Z"}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        household = _mine(request)
        rows = household.questions.filter(status=QuestionStatus.OPEN).order_by("id")
        return Response(QuestionSerializer(rows[:500], many=True).data)


class QuestionAnswerView(APIView):
    @extend_schema(
        tags=[TAG],
        summary='Answer "whose is this?" once (it becomes an assignment)',
        request=AnswerSerializer,
        responses={200: AssignmentSerializer, **ERRORS},
        examples=[_example("Sam's", {"person": 2}, request=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        household = _mine(request)
        question = get_object_or_404(WhoseQuestion, pk=pk, household=household)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        made = household_sync.answer_question(
            question, body.validated_data["person"], by=_user(request)
        )
        return Response(AssignmentSerializer(made).data)


class MoveView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Reassigned titles whose written progress I may move (the owner: all)",
        responses={200: OfferSerializer(many=True), **ERRORS},
        examples=[_example("One", [{"asin": "B0T0YFZYP0", "title": "Harry Potter 3",
                                    "from_person": 2, "to_person": 3, "reason": "collection",
                                    "reads": 1, "history": 1, "ready": True}])],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        household = _mine(request)
        body = [
            {
                "asin": o.route.asin,
                "title": o.title,
                "from_person": o.route.previous_person_id,
                "to_person": o.route.person_id,
                "reason": o.route.reason,
                "reads": o.reads,
                "history": o.history,
                "ready": o.ready,
            }
            for o in reassign.offers(household, _uid(request))
        ]
        return Response(OfferSerializer(body, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Move a reassigned title's reads and history to its new person",
        request=MoveRequest,
        responses={201: MoveSerializer, **ERRORS},
        examples=[
            _example("The third Harry Potter", {"asin": "B0T0YFZYP0"}, request=True),
            _example("Moved", {"id": 1, "asin": "B0T0YFZYP0", "from_person": 2, "to_person": 3,
                               "by": 2, "outcome": "moved", "why": "sam moved the progress of "
                               "B0T0YFZYP0 from sam to alex: the title is now alex's (...).",
                               "reads_copied": 0, "history_copied": 1,
                               "moved_at": "2026-12-03T09:00:00Z"}),
        ],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        household = _mine(request)
        body = MoveRequest(data=request.data)
        body.is_valid(raise_exception=True)
        move = reassign.move_progress(household, body.validated_data["asin"], by=_user(request))
        return Response(MoveSerializer(move).data, status=201)
