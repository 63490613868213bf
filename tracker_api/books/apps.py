from __future__ import annotations

from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "tracker_api.books"
    label = "books"
    verbose_name = "Books"
    default_auto_field = "django.db.models.BigAutoField"
