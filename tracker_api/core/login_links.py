"""One-time login links: a person sets their own password, nobody else ever knows it.

The link is Django's password-reset link (``PasswordResetTokenGenerator``): it is signed with
``SECRET_KEY``, stops working once the password is set (the signature covers the password hash
and the last login) and expires after ``PASSWORD_RESET_TIMEOUT`` (Django's default: 3 days).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.urls import path
from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

URL_NAME = "person_set_password"


def login_link(user: Any, base_url: str = "") -> str:
    """The link (absolute when ``base_url`` is given, else the path) for ``user``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse(URL_NAME, kwargs={"uidb64": uid, "token": token})
    return f"{base_url.rstrip('/')}{url}" if base_url else url


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation, landing on the admin login once it is set."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("admin:login")
    title = "Set your password"

    def form_valid(self, form: Any) -> Any:
        from django.contrib import messages

        response = super().form_valid(form)
        messages.success(self.request, "Your password is set: log in with it now.")
        return response


urlpatterns = [
    path("accounts/set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name=URL_NAME),
]
