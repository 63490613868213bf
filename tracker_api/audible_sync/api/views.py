"""``/api/audible/...``: thin views over linking, connecting and status. Owner-scoped: another
person's conflict is a 404, exactly like one that does not exist."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.audible_sync import disconnect
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.api import examples
from tracker_api.audible_sync.api.serializers import AuthRequestSerializer
from tracker_api.audible_sync.api.serializers import AuthResponseSerializer
from tracker_api.audible_sync.api.serializers import ConfigSerializer
from tracker_api.audible_sync.api.serializers import ConflictSerializer
from tracker_api.audible_sync.api.serializers import DisconnectResultSerializer
from tracker_api.audible_sync.api.serializers import LinkRequestSerializer
from tracker_api.audible_sync.api.serializers import LinkResultSerializer
from tracker_api.audible_sync.api.serializers import ResolveRequestSerializer
from tracker_api.audible_sync.api.serializers import StatusSerializer
from tracker_api.audible_sync.api.throttles import CONNECT_THROTTLES
from tracker_api.audible_sync.connecting import connect_account
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.preferences import save_preferences
from tracker_api.audible_sync.status import sync_status
from tracker_api.core.errors import ApiError
from tracker_api.core.schema import ErrorSerializer
from tracker_api.core.signed_in import signed_in_user

# Where each gateway failure without a useful status of its own lands.
_TRANSPORT_STATUS = {
    gateway.UNREACHABLE: 503,
    gateway.TIMEOUT: 504,
    gateway.BAD_ANSWER: 502,
    gateway.NOT_CONFIGURED: 503,
}
AUTH_ERRORS = {code: ErrorSerializer for code in (403, 409, 422, 429, 502, 503, 504)}
LINK_ERRORS = {404: ErrorSerializer, 409: ErrorSerializer}


def gateway_api_error(exc: gateway.GatewayCallError) -> ApiError:
    """The gateway's code and sentence, with an HTTP status that is true for our caller.

    The gateway's 4xx answers are about the request or the Audible account and pass through;
    its 401 means *our* shared secret is wrong, which is a server fault (502), as is anything
    that is not an answer at all (503/504).
    """
    code, message = exc.code, exc.message
    if exc.status is None:
        status = _TRANSPORT_STATUS.get(exc.code, 502)
    elif exc.status == 401:
        code = "gateway_misconfigured"
        message = "The Audible gateway refused this tracker's shared secret (AUDIBLE_API_SECRET)."
        status = 502
    elif 400 <= exc.status < 500:
        status = exc.status
    else:
        status = exc.status if exc.status in (502, 503, 504) else 502
    extra: dict[str, Any] = {}
    if exc.retry_after is not None:
        extra["retry_after"] = max(1, round(exc.retry_after))
    error = ApiError(code, message, status_code=status, **extra)
    if "retry_after" in extra:
        error.wait = extra["retry_after"]  # DRF turns ``wait`` into a Retry-After header
    return error


def _link_result(outcome: linking.LinkOutcome) -> dict[str, Any]:
    return LinkResultSerializer(
        {
            "asin": outcome.mapping.asin,
            "mapping": outcome.mapping,
            "book": outcome.book,
            "resolved_conflict": outcome.resolved_conflict,
            "created_book": outcome.created_book,
            "progress_applied": outcome.progress_applied,
            "reverted": outcome.reverted.as_dict() if outcome.reverted else None,
        }
    ).data


DISCONNECT_ERRORS = {code: ErrorSerializer for code in (502, 503, 504)}


class AuthView(APIView):
    """``POST`` connects (throttled: it may try an Amazon login), ``DELETE`` disconnects."""

    def get_throttles(self) -> list[Any]:
        if self.request.method == "POST":
            return [throttle() for throttle in CONNECT_THROTTLES]
        return []

    @extend_schema(
        request=AuthRequestSerializer,
        responses={200: AuthResponseSerializer, **AUTH_ERRORS},
        summary="Connect an Audible account (through the gateway)",
        tags=["audible connection"],
        examples=[
            OpenApiExample(
                "Start an external browser login",
                value={"method": "external", "locale": "us"},
                request_only=True,
            ),
            OpenApiExample(
                "Finish it with the address the browser ended on",
                value={
                    "method": "external",
                    "state": "gAAAAAB...",
                    "redirect_url": "https://www.amazon.com/ap/maplanding?...",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Login required",
                value={
                    "status": "login_required",
                    "login_url": "https://www.amazon.com/ap/signin?...",
                    "state": "gAAAAAB...",
                    "expires_in": 900,
                },
                response_only=True,
            ),
            OpenApiExample(
                "Connected",
                value={
                    "status": "connected",
                    "account": {"locale": "us", "customer_name": "Alice"},
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        body = AuthRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            answer = connect_account(signed_in_user(request), dict(body.validated_data))
        except gateway.GatewayCallError as exc:
            raise gateway_api_error(exc) from None
        return Response(AuthResponseSerializer(answer).data)

    @extend_schema(
        request=None,
        responses={200: DisconnectResultSerializer, **DISCONNECT_ERRORS},
        summary="Disconnect: deregister the Audible device and forget the credentials",
        description="The gateway deregisters the device at Amazon, then the sealed credentials "
        "and the account facts are forgotten. Preferences, mappings, conflicts and history stay. "
        "When the gateway cannot be reached the credentials are kept (try again): 503/504. "
        "Disconnecting when nothing is connected is a 200 with `was_connected: false`.",
        tags=["audible connection"],
        examples=[
            OpenApiExample(
                "Disconnected",
                value={"status": "disconnected", "was_connected": True, "deregistered": True},
                response_only=True,
            )
        ],
    )
    def delete(self, request: Request) -> Response:
        try:
            outcome = disconnect.disconnect(request.user)
        except gateway.GatewayCallError as exc:
            raise gateway_api_error(exc) from None
        return Response(
            DisconnectResultSerializer(
                {
                    "status": "disconnected",
                    "was_connected": outcome.was_connected,
                    "deregistered": outcome.deregistered,
                }
            ).data
        )


class ConfigView(APIView):
    """The person's sync preferences; defaults until they save any."""

    serializer_class = ConfigSerializer

    @extend_schema(
        responses={200: ConfigSerializer},
        summary="Read sync preferences",
        examples=examples.CONFIG_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        config = AudibleConfig.objects.filter(user=signed_in_user(request)).first()
        return Response(
            ConfigSerializer(config or AudibleConfig(user=signed_in_user(request))).data
        )

    @extend_schema(
        request=ConfigSerializer,
        responses={200: ConfigSerializer},
        summary="Replace sync preferences",
        examples=examples.CONFIG_EXAMPLES,
    )
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        request=ConfigSerializer,
        responses={200: ConfigSerializer},
        summary="Change some sync preferences",
        examples=examples.CONFIG_EXAMPLES,
    )
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)

    def _save(self, request: Request, *, partial: bool) -> Response:
        config = save_preferences(signed_in_user(request), request.data, partial=partial)
        return Response(ConfigSerializer(config).data)


class StatusView(APIView):
    @extend_schema(
        responses={200: StatusSerializer},
        summary="Connection, limits, last sync",
        examples=examples.STATUS_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        return Response(StatusSerializer(sync_status(signed_in_user(request))).data)


class LinkView(APIView):
    @extend_schema(
        request=LinkRequestSerializer,
        responses={200: LinkResultSerializer, **LINK_ERRORS},
        summary="Link an ASIN to a book, create a book for it, or ignore it",
        examples=examples.LINK_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        body = LinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = signed_in_user(request)
        # A LinkingError is answered by the JSON error handler with its code and status.
        revert = bool(data.get("revert"))
        if data.get("ignore"):
            outcome = linking.ignore_asin(person, data["asin"], by=person, revert=revert)
        elif data.get("create"):
            outcome = linking.create_book_from_item(person, data["asin"], by=person, revert=revert)
        else:
            outcome = linking.link_asin(
                person, data["asin"], data["book_id"], by=person, revert=revert
            )
        return Response(_link_result(outcome))


CONFLICT_FILTERS = ("open", "resolved", "all")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "status",
            OpenApiTypes.STR,
            enum=list(CONFLICT_FILTERS),
            description="open (the default), resolved or all.",
        )
    ],
    summary="List conflicts with their ranked candidates",
    examples=examples.CONFLICT_EXAMPLES,
)
class ConflictListView(generics.ListAPIView):
    serializer_class = ConflictSerializer

    def get_queryset(self) -> QuerySet[AudibleConflict]:
        wanted = self.request.query_params.get("status", "open")
        if wanted not in CONFLICT_FILTERS:
            raise serializers.ValidationError(
                {"status": [f"Must be one of: {', '.join(CONFLICT_FILTERS)}."]}
            )
        conflicts = AudibleConflict.objects.filter(
            user=cast("User", self.request.user)
        ).select_related("resolved_by")
        if wanted != "all":
            conflicts = conflicts.filter(status=wanted)
        return conflicts.order_by("-created_at", "-id")


@extend_schema(
    summary="One conflict with its ranked candidates", examples=examples.CONFLICT_EXAMPLES
)
class ConflictDetailView(generics.RetrieveAPIView):
    serializer_class = ConflictSerializer

    def get_queryset(self) -> QuerySet[AudibleConflict]:
        return AudibleConflict.objects.filter(user=cast("User", self.request.user)).select_related(
            "resolved_by"
        )


class ConflictResolveView(APIView):
    @extend_schema(
        request=ResolveRequestSerializer,
        responses={200: LinkResultSerializer, **LINK_ERRORS},
        summary="Resolve a conflict: link, create or ignore",
        examples=examples.RESOLVE_EXAMPLES,
    )
    def post(self, request: Request, pk: int) -> Response:
        # Another person's conflict is a 404 whatever the body says (not a 400 about the body).
        get_object_or_404(
            AudibleConflict.objects.filter(user=signed_in_user(request)).only("pk"), pk=pk
        )
        body = ResolveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = linking.resolve_conflict(  # a LinkingError is answered with its code
            pk,
            body.validated_data["action"],
            user=signed_in_user(request),
            by=signed_in_user(request),
            book_id=body.validated_data.get("book_id"),
        )
        return Response(_link_result(outcome))


__all__ = [
    "AuthView",
    "ConfigView",
    "ConflictDetailView",
    "ConflictListView",
    "ConflictResolveView",
    "LinkView",
    "StatusView",
    "gateway_api_error",
]
