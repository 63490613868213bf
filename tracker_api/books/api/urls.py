from __future__ import annotations

from rest_framework.routers import SimpleRouter

from tracker_api.books.api.views import BookViewSet

router = SimpleRouter(trailing_slash=False)
router.register("books", BookViewSet, basename="book")

urlpatterns = router.urls
