"""Answer the health probe before host validation and HTTPS redirects.

Container and platform probes call ``/health`` on 127.0.0.1 over plain HTTP, a host name that
production ALLOWED_HOSTS rightly does not list. The probe carries no data worth protecting, so
it is answered first; every other request goes through Django's full checks.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http import HttpResponse

from tracker_api.core.views import health

HEALTH_PATHS = frozenset({"/health", "/healthz"})


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in HEALTH_PATHS:
            return health(request)
        return self.get_response(request)
