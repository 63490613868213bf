"""Health probe and the JSON answers Django gives for ``/api/`` paths it cannot route or serve."""

from __future__ import annotations

import logging

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.db import connection
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tracker_api.core.errors import error_body

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness + database: ``SELECT 1`` on the default database; no authentication."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return JsonResponse(
            error_body("database_unavailable", "The database is not answering."), status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: JSON under ``/api/``, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body("not_found", "There is nothing at this address."), status=404
        )
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400`` (Django's SuspiciousOperation: a bad Host, a form over Django's limits):
    JSON under ``/api/``, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body("bad_request", "The request was refused as malformed."), status=400
        )
    return defaults.bad_request(request, exception or SuspiciousOperation())


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: JSON under ``/api/`` (never a stack trace), Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=500,
        )
    return defaults.server_error(request)
