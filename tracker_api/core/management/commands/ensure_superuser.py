"""``manage.py ensure_superuser NAME``: an idempotent createsuperuser for scripts and the demo.

The password comes from ``DJANGO_SUPERUSER_PASSWORD`` (never from the command line, where it
would show in the process list). An existing user is promoted and gets that password.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create or update a superuser whose password is DJANGO_SUPERUSER_PASSWORD."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if not password:
            raise CommandError("Set DJANGO_SUPERUSER_PASSWORD to the password to give the user.")
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                **{user_model.USERNAME_FIELD: options["username"]},
                defaults={"email": options["email"]},
            )
            user.is_staff = True
            user.is_superuser = True
            user.set_password(password)
            user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} superuser {options['username']}.")
