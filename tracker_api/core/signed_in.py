"""The signed-in account of a request, typed as the account it is.

``request.user`` is an account or ``AnonymousUser``. Every view that asks for it requires a
signed-in person (DRF's ``IsAuthenticated``, the admin's staff login), so the anonymous case is
already refused before the view runs; this says so to the type checker, and refuses it again
(403) rather than letting an anonymous user reach a query.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user`` when it is an account; ``PermissionDenied`` for an anonymous request."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
