"""``POST /api/audible/sync`` (a person's own sync) and ``GET /api/cron/audible-sync`` (cron).

Thin: both call the sync service. Errors use the one JSON shape (``ApiError``).
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.audible_sync import signals
from tracker_api.audible_sync.api import examples
from tracker_api.audible_sync.api.run_serializers import SyncRunSerializer
from tracker_api.audible_sync.models import SyncTrigger
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.sync.claim import sync_due_users
from tracker_api.audible_sync.sync.service import SyncFailed
from tracker_api.core.errors import ApiError
from tracker_api.core.roles import may_force_sync
from tracker_api.core.schema import ErrorSerializer
from tracker_api.core.strict import StrictBodyMixin


class SyncRequestSerializer(StrictBodyMixin, serializers.Serializer):
    force = serializers.BooleanField(
        default=False,
        help_text="Skip our rate limit (operators only); Audible's own back-off still holds.",
    )
    dry_run = serializers.BooleanField(default=False, help_text="Decide, but write nothing.")


class SyncView(APIView):
    """Sync the caller's Audible library now; answers the sync log's counts."""

    @extend_schema(
        request=SyncRequestSerializer,
        responses={
            200: SyncRunSerializer,
            403: OpenApiResponse(
                ErrorSerializer, description="force without being an operator (force_not_allowed)."
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="A sync is already running, or re-login needed."
            ),
            429: OpenApiResponse(
                ErrorSerializer, description="Rate limited; retry_after says when."
            ),
            502: OpenApiResponse(
                ErrorSerializer, description="The gateway or Audible failed; the log says why."
            ),
        },
        summary="Sync my Audible library now",
        examples=examples.SYNC_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        body = SyncRequestSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        force = body.validated_data["force"]
        if force and not may_force_sync(request.user):
            raise ApiError(
                "force_not_allowed",
                "Only an operator may bypass the rate limit.",
                status_code=403,
            )
        # A refusal (SyncRefused) or a failed run (SyncFailed) is answered by the JSON error
        # handler with its own code and status.
        outcome = run_sync(
            request.user,
            trigger=SyncTrigger.API,
            force=force,
            dry_run=body.validated_data["dry_run"],
        )
        if outcome.failed:
            raise SyncFailed(outcome)
        return Response(outcome.summary())


def cron_secret_ok(header: str) -> bool:
    """``Authorization: Bearer <CRON_SECRET>``, compared in constant time; no secret, no entry."""
    expected = str(getattr(settings, "CRON_SECRET", "") or "")
    if not expected or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer ") :].encode(), expected.encode())


def cron_batch() -> int:
    """Users per cron call (``AUDIBLE_CRON_MAX_USERS``, at least one)."""
    return max(1, int(settings.AUDIBLE_CRON_MAX_USERS))


class CronAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="People synced (or refused) in this call.")
    failed = serializers.IntegerField()
    results = serializers.ListField(
        child=serializers.DictField(), help_text="Per person: user, status, and the run."
    )


class CronSyncView(APIView):
    """Sync every user whose automatic sync is due (at most AUDIBLE_CRON_MAX_USERS a call)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: OpenApiResponse(CronAnswerSerializer, description="Per-user results."),
            401: OpenApiResponse(ErrorSerializer, description="Missing or wrong bearer secret."),
        },
        summary="Sync every due user (cron)",
        examples=examples.CRON_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        if not cron_secret_ok(request.headers.get("Authorization", "")):
            raise ApiError(
                "invalid_cron_secret",
                "Send 'Authorization: Bearer <CRON_SECRET>'.",
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
        signals.scheduled_run_started.send_robust(
            sender=CronSyncView, source=signals.SOURCE_CRON_VIEW
        )
        handled = []
        try:
            for r in sync_due_users(limit=cron_batch(), trigger=SyncTrigger.CRON):
                if r.status != "not_due":
                    handled.append(r)
        finally:
            signals.scheduled_run_finished.send_robust(
                sender=CronSyncView, source=signals.SOURCE_CRON_VIEW, results=handled
            )
        results = [r.to_dict() for r in handled]
        failed = sum(1 for r in results if r["status"] == "failed")
        return Response({"count": len(results), "failed": failed, "results": results})
