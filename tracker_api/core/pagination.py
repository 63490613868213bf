"""Paging the DRF way: ``count``, ``next``, ``previous``, ``results``."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N`` and ``?page_size=M`` (capped, so no client can ask for everything at once)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
