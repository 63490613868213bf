"""The forms of the person's pages. Values are checked by the API's own rules, not again here.

The preferences form renders the fields; :meth:`PreferencesForm.clean` hands the values to
the API's serializer (``preferences.preference_errors``), so a refused value reads exactly as
``PUT /api/audible/config`` would say it.
"""

from __future__ import annotations

from typing import Any

from django import forms

from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.preferences import PREFERENCE_FIELDS
from tracker_api.audible_sync.preferences import preference_errors

# The Audible marketplaces the gateway knows (its ``locale`` values), by country.
MARKETPLACES = (
    ("us", "United States (audible.com)"),
    ("uk", "United Kingdom (audible.co.uk)"),
    ("de", "Germany (audible.de)"),
    ("fr", "France (audible.fr)"),
    ("it", "Italy (audible.it)"),
    ("es", "Spain (audible.es)"),
    ("ca", "Canada (audible.ca)"),
    ("au", "Australia (audible.com.au)"),
    ("in", "India (audible.in)"),
    ("jp", "Japan (audible.co.jp)"),
    ("br", "Brazil (audible.com.br)"),
)
MAX_AUTH_FILE_BYTES = 256 * 1024


class PreferencesForm(forms.ModelForm):
    """Interval, daily cap, import policy, auto-sync, podcasts (and enabled)."""

    class Meta:
        model = AudibleConfig
        fields = list(PREFERENCE_FIELDS)
        labels = {
            "enabled": "Sync this account",
            "auto_sync": "Sync automatically on a schedule",
            "sync_interval_minutes": "Minutes between automatic syncs",
            "daily_sync_cap": "Most syncs in any 24 hours",
            "import_policy": "Which Audible titles become books",
            "import_podcasts": "Import podcasts too",
        }

    def clean(self) -> dict[str, Any]:
        """The API's rules and sentences. A field refused here is left out of the model's own
        checks that follow (Django skips fields with errors), so it reads once, as the API."""
        cleaned = super().clean() or {}
        data = {name: cleaned[name] for name in PREFERENCE_FIELDS if name in cleaned}
        for name, messages in preference_errors(data).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class StartLoginForm(forms.Form):
    locale = forms.ChoiceField(choices=MARKETPLACES, initial="us", label="Audible marketplace")
    with_username = forms.BooleanField(
        required=False,
        label="I log in with an Audible username, not an Amazon account (us, uk, de only)",
    )


class FinishLoginForm(forms.Form):
    redirect_url = forms.CharField(
        label="The address your browser shows after logging in",
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "cols": 80,
                "placeholder": "https://www.amazon.com/ap/maplanding?...openid.oa2.authorization_code=...",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
        strip=True,
    )


class AuthFileForm(forms.Form):
    auth_file = forms.FileField(
        label="audible-cli auth file",
        help_text="The JSON file audible-cli writes (audible quickstart), encrypted or not.",
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        label="The file's password (only for an encrypted file)",
    )
    locale = forms.ChoiceField(
        choices=[("", "As the file says"), *MARKETPLACES],
        required=False,
        label="Audible marketplace",
    )

    def clean_auth_file(self) -> Any:
        upload = self.cleaned_data["auth_file"]
        if upload.size > MAX_AUTH_FILE_BYTES:
            raise forms.ValidationError(
                "An auth file is a few kilobytes; this one is over "
                f"{MAX_AUTH_FILE_BYTES // 1024} KB."
            )
        return upload
