"""Throttles of ``POST /api/audible/auth``: each call may try an Amazon login.

Without them the tracker would let anyone with an account (or one stolen token) use the
gateway to try many Amazon passwords or flood Amazon's login. Two DRF throttles, both counted
in the shared ``throttle`` cache (a database table, so every worker sees the same counts):

* :class:`ConnectPersonThrottle`: per person, ``AUDIBLE_AUTH_RATE_PERSON`` (10/hour);
* :class:`ConnectTotalThrottle`: the whole installation, ``AUDIBLE_AUTH_RATE_TOTAL`` (100/hour).

A refused call is the usual ``throttled`` error (429, ``retry_after``). The admin's connect
page counts through the same classes (:func:`connect_allowed`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class _ConnectThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting))


class ConnectPersonThrottle(_ConnectThrottle):
    scope = "audible_auth_person"
    setting = "AUDIBLE_AUTH_RATE_PERSON"

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ConnectTotalThrottle(_ConnectThrottle):
    scope = "audible_auth_total"
    setting = "AUDIBLE_AUTH_RATE_TOTAL"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": "all"}


CONNECT_THROTTLES = (ConnectPersonThrottle, ConnectTotalThrottle)


def connect_allowed(request: Any) -> int | None:
    """Count one connect attempt for ``request`` (a Django or DRF request).

    None when allowed; else the seconds to wait. As in DRF, each throttle that allows the
    attempt counts it.
    """
    waits = []
    for throttle_class in CONNECT_THROTTLES:
        throttle = throttle_class()
        # No view here; DRF's throttles ignore it (the stubs insist on one).
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 1)
    return max(1, round(max(waits))) if waits else None
