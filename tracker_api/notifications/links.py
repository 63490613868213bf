"""Links in messages: admin paths made absolute with TRACKER_PUBLIC_URL.

Messages store the path (``/admin/...``) so a changed public URL fixes old messages too; the
absolute link is made when a message is sent. Without TRACKER_PUBLIC_URL the path alone is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    base = str(getattr(settings, "TRACKER_PUBLIC_URL", "") or "").rstrip("/")
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{base}{path}" if base else path


def admin_path(name: str, *args: object, query: str = "") -> str:
    path = reverse(f"admin:{name}", args=args)
    return f"{path}?{query}" if query else path
