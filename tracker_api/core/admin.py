"""API tokens in the admin: a person sees only their own, and the key only once.

DRF's token admin lists every key in full. Here the list shows a masked key (the first four
characters), the change page no key at all, and a new token's key is shown once, in the
message after it is created, for the person to copy. Owner-scoped like every other admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib import messages
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from tracker_api.core.owner_admin import OwnerScopedAdmin

SHOWN_CHARACTERS = 4

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class PersonTokenAdmin(OwnerScopedAdmin, TokenAdmin):
    list_display = ("masked_key", "user", "created")
    list_display_links = ("masked_key",)

    @admin.display(description="Key")
    def masked_key(self, token: TokenProxy) -> str:
        return f"{token.key[:SHOWN_CHARACTERS]}…"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                f"The new API token is {obj.key}. Copy it now: it is not shown again.",
                messages.WARNING,
            )
