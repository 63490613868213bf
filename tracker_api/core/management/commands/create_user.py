"""``manage.py create_user NAME [--email E] [--staff]``: a user and their API token.

The token is the last word printed, so scripts can take it with ``awk '{print $NF}'``. Running it
again for an existing user prints that user's token (creating one if they had none) and succeeds.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Create a user (without a password) and print their API token as the last word."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Email address (optional).")
        parser.add_argument("--staff", action="store_true", help="May use the admin site.")

    def handle(self, *args, **options) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("The username must not be empty.")
        email = options["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"'{email}' is not an email address.") from None
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                **{user_model.USERNAME_FIELD: username},
                defaults={"email": email, "is_staff": options["staff"]},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            elif options["staff"] and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            token, _ = Token.objects.get_or_create(user=user)
        verb = "Created user" if created else "User already exists:"
        self.stdout.write(f"{verb} {username}. API token: {token.key}")
