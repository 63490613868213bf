"""``manage.py create_user NAME``: a *person* (or, with ``--operator``, an operator), a token.

A person may log in to the admin and use it for their own data (tracker_api.core.roles); an
operator is a superuser. The password never comes from the command line (it would show in the
process list): ``--password-stdin`` reads it from standard input, ``--password-env VAR`` from an
environment variable, and ``--login-link`` prints a one-time link where the person sets it
themselves. Without any of these the user has no usable password (API token only until then).

The token is the last word printed, so scripts can take it with ``awk '{print $NF}'``. Running
it again for an existing user prints that user's token (creating one if they had none), makes
them a person (an operator stays an operator) and succeeds.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from tracker_api.core.login_links import login_link
from tracker_api.core.roles import PERSON_GROUP
from tracker_api.core.roles import sync_person_group


class Command(BaseCommand):
    help = (
        "Create a person (admin for their own data) or, with --operator, a superuser; "
        "print their API token as the last word."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Email address (optional).")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="The default (a person who may use the admin); kept for older scripts.",
        )
        parser.add_argument(
            "--operator",
            action="store_true",
            help="An operator: a superuser who sees everyone's data and may force syncs.",
        )
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input (first line).",
        )
        source.add_argument(
            "--password-env",
            metavar="VAR",
            help="Take the password from the environment variable VAR.",
        )
        parser.add_argument(
            "--login-link",
            action="store_true",
            help="Print a one-time link where the person sets their own password.",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The tracker's public URL, to print the login link in full "
            "(e.g. https://tracker.example.com).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("The username must not be empty.")
        email = options["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"'{email}' is not an email address.") from None
        password = _password(options)
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                **{user_model.USERNAME_FIELD: username}, defaults={"email": email}
            )
            if password is not None:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            role = _apply_role(user, operator=options["operator"])
            user.save()
            token, _ = Token.objects.get_or_create(user=user)
        if options["login_link"]:
            link = login_link(user, options["base_url"])
            self.stdout.write(f"One-time login link for {username} (sets the password): {link}")
        verb = "Created user" if created else "User already exists:"
        self.stdout.write(f"{verb} {username} ({role}). API token: {token.key}")


def _password(options: dict[str, Any]) -> str | None:
    if options["password_stdin"]:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise CommandError("--password-stdin: standard input held no password.")
        return password
    if options["password_env"]:
        password = os.environ.get(options["password_env"], "")
        if not password:
            raise CommandError(f"--password-env: {options['password_env']} is unset or empty.")
        return password
    return None


def _apply_role(user: Any, *, operator: bool) -> str:
    """Operator: superuser. Person: staff in the person group. An operator is never demoted."""
    user.is_staff = True
    if operator or user.is_superuser:
        user.is_superuser = True
        return "operator"
    if user.pk is not None:
        group = Group.objects.filter(name=PERSON_GROUP).first() or sync_person_group()
        user.groups.add(group)
    return "person"
