"""Collecting the secret values of a run, and finding any of them in captured text."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

MIN_FRAGMENT = 12  # shorter pieces could match by chance


def fernet_key_forms(key: str) -> list[str]:
    """A configured key in every form it might leak: as given, raw hex, raw base64."""
    key = key.strip()
    forms = [key]
    raw = bytes.fromhex(key) if len(key) == 64 else base64.urlsafe_b64decode(key)
    forms += [raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return list(dict.fromkeys(forms))


def pem_fragments(pem: str) -> list[str]:
    """The whole PEM and every line of its base64 body (a partial dump still leaks)."""
    lines = [line for line in pem.strip().splitlines() if line and not line.startswith("-----")]
    return [pem.strip(), *lines]


def auth_secrets(data: dict[str, Any]) -> list[str]:
    """Every secret an opened auth blob holds: tokens, the device key, cookies."""
    values: list[str] = []
    for name in ("access_token", "refresh_token", "adp_token", "store_authentication_cookie"):
        value = data.get(name)
        if isinstance(value, dict):
            value = value.get("cookie")
        if isinstance(value, str):
            values.append(value)
            values += [part for part in value.split("}{") if len(part) >= MIN_FRAGMENT]
    if isinstance(data.get("device_private_key"), str):
        values += pem_fragments(data["device_private_key"])
    cookies = data.get("website_cookies") or {}
    if isinstance(cookies, dict):
        values += [v for v in cookies.values() if isinstance(v, str)]
    return [v for v in values if len(v) >= MIN_FRAGMENT or v.startswith(("Atna|", "Atnr|"))]


def find_leaks(texts: Iterable[tuple[str, str]], secrets: dict[str, str]) -> list[str]:
    """``where: which secret`` for every secret value found in any (where, text) pair."""
    leaks = []
    for where, text in texts:
        for name, value in secrets.items():
            if value and value in text:
                leaks.append(f"{where}: {name}")
    return leaks
