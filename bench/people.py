"""The benchmarks' people: a tracker account with a connected Audible config.

The project's own code, so that ``bench/`` does not borrow the test suite's factories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What a connected account looks like to the tracker (the sandbox's US marketplace).
ACCOUNT = {"locale": "us", "marketplace": "AF2M0KC94RCEA"}


def connected_person(username: str, sealed_auth: str) -> User:
    """The account ``username`` (made if missing) with an Audible config holding ``sealed_auth``."""
    from django.contrib.auth import get_user_model

    from tracker_api.audible_sync.models import AudibleConfig

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    AudibleConfig.objects.create(user=user, sealed_auth=sealed_auth, account=dict(ACCOUNT))
    return user
