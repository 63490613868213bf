from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from tracker_api.audible_sync.api.history_views import BookHistoryView
from tracker_api.books.api.read_views import BookReadDetailView
from tracker_api.books.api.read_views import BookReadsView
from tracker_api.books.api.read_views import ReadListView
from tracker_api.books.api.views import BookViewSet

router = SimpleRouter(trailing_slash=False)
router.register("books", BookViewSet, basename="book")

urlpatterns = [
    *router.urls,
    path("books/<id:pk>/reads", BookReadsView.as_view(), name="book-reads"),
    path("books/<id:pk>/reads/<id:read_id>", BookReadDetailView.as_view(), name="book-read"),
    path("books/<id:pk>/history", BookHistoryView.as_view(), name="book-history"),
    path("reads", ReadListView.as_view(), name="reads"),
]
