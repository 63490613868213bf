"""``POST /api/audible/runs/{id}/undo``: undo everything one of my sync runs wrote.

Thin: ``undo.revert.undo_run`` does the work and refuses (409, with a sentence naming what
touched the books since) when something newer did. Another person's run is a 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.audible_sync.api.undo_serializers import UndoRequestSerializer
from tracker_api.audible_sync.api.undo_serializers import UndoResultSerializer
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.undo import revert
from tracker_api.core.schema import ErrorSerializer
from tracker_api.core.signed_in import signed_in_user

BLOCKED_EXAMPLE = {
    "error": {
        "code": "undo_blocked",
        "message": 'Run 12 cannot be undone: sync run 14 (2026-12-02 20:10 UTC) changed "The '
        'Martian" after it. Undo that first.',
    }
}


class RunUndoView(APIView):
    @extend_schema(
        request=UndoRequestSerializer,
        responses={200: UndoResultSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        summary="Undo a sync run",
        description="Puts back every row the run wrote (books, reads, history, mappings, "
        "conflicts), exactly as before, and logs the undo. Refused (409) while anything "
        "newer touched the same books: `undo_blocked` (the message names what did), "
        "`already_undone`, `nothing_to_undo`, `undo_unavailable` (a run logged before "
        "changes were recorded in full), `sync_already_running`.",
        examples=[OpenApiExample("Refused", value=BLOCKED_EXAMPLE, status_codes=["409"])],
        tags=["sync runs"],
    )
    def post(self, request: Request, pk: int) -> Response:
        # Another person's run is a 404 whatever the body says (not a 400 about the body).
        get_object_or_404(
            AudibleSyncLog.objects.filter(user=signed_in_user(request)).only("pk"), pk=pk
        )
        UndoRequestSerializer(data=request.data or {}).is_valid(raise_exception=True)
        # An UndoRefused is answered by the JSON error handler with its code and status.
        outcome = revert.undo_run(request.user, pk, by=request.user)
        return Response(UndoResultSerializer({"run": pk, "undo": outcome.as_dict()}).data)
