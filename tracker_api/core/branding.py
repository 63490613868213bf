"""The admin under the product's own name, with "View site" leading to the person's dashboard.

:func:`brand` sets the ``AdminSite``'s texts (instead of "Django administration");
:func:`favicon` answers ``/favicon.ico`` with the same small SVG the pages link to, for the
browsers and pages (the API docs, a plain error page) that ask for it anyway.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.http import HttpResponse
from django.urls import reverse_lazy

PRODUCT_NAME = "Book tracker"
FAVICON = Path(__file__).resolve().parent / "static" / "core" / "favicon.svg"


def brand(site: AdminSite) -> None:
    """Name ``site`` after the product; "View site" goes to the dashboard."""
    site.site_header = PRODUCT_NAME
    site.site_title = PRODUCT_NAME
    site.index_title = "Your books and Audible sync"
    site.site_url = reverse_lazy(f"{site.name}:audible_sync_dashboard")  # type: ignore[assignment]


def favicon(request: HttpRequest) -> HttpResponse:
    """The logo as ``/favicon.ico`` (SVG; cached for a day)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
