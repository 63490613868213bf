"""The Audible marketplaces the ``audible`` package knows, validated without any network."""

from __future__ import annotations

from audible.localization import LOCALE_TEMPLATES
from audible.localization import Locale

COUNTRY_CODES = tuple(sorted(t["country_code"] for t in LOCALE_TEMPLATES.values()))


def locale_for(country_code: object) -> Locale | None:
    """The Locale for a country code such as ``us`` or ``uk``; None when unknown."""
    if not isinstance(country_code, str) or country_code.strip().lower() not in COUNTRY_CODES:
        return None
    return Locale(country_code.strip().lower())
