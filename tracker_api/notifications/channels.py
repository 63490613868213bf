"""Sending one message through one channel: Apprise URLs and Django's e-mail.

Nothing here touches the outbox: :mod:`delivery` decides what to send and records the outcome.
A send never raises: it answers :class:`SendResult` with an error sentence that is already
scrubbed of every piece of the URL and of the mail password (:mod:`redaction`).

``mask_url`` is what a person is shown of a URL they entered: the scheme, the host as Apprise's
own privacy mode prints it (passwords and tokens shortened), and each path segment cut to its
first and last character; the query string is dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail import get_connection

from tracker_api.notifications import redaction

MAX_URL_LENGTH = 2000
SEND_TIMEOUT_S = 20  # the whole Apprise call; the claim lease (delivery.LEASE) is far longer
MAX_ERROR_LENGTH = 500


class InvalidChannelURL(ValueError):
    """Apprise knows no service for this URL (or it is malformed)."""


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""


def _apprise() -> Any:
    """Apprise, imported on first use: loading its 180 plugins takes most of a second, which
    every ``manage.py`` run and worker start would pay for nothing."""
    import apprise

    return apprise


def _asset() -> Any:
    # Sends run in the calling thread (timeouts and the log scrubbing are per call) and Apprise
    # keeps no files of its own on the server.
    return _apprise().AppriseAsset(async_mode=False, storage_mode="memory")


def _plugin(url: str) -> object:
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LENGTH:
        raise InvalidChannelURL(f"An Apprise URL of at most {MAX_URL_LENGTH} characters.")
    with redaction.hiding(redaction.secret_parts(url)):
        plugin = _apprise().Apprise.instantiate(url.strip(), asset=_asset())
    if plugin is None:
        raise InvalidChannelURL(
            "Apprise knows no service for this URL; see its list of services "
            "(e.g. ntfys://ntfy.sh/your-topic, json://host/path, mailto://user:pass@host)."
        )
    return plugin


def validate_url(url: str) -> str:
    """The URL, stripped, if Apprise can use it; raises :class:`InvalidChannelURL`."""
    _plugin(url)
    return url.strip()


def _mask_segment(segment: str) -> str:
    return "…" if len(segment) <= 2 else f"{segment[0]}…{segment[-1]}"


def mask_url(url: str) -> str:
    """What may be shown of ``url``: never a password, token, topic or webhook path in full."""
    private = str(_plugin(url).url(privacy=True))  # type: ignore[attr-defined]
    scheme, _, rest = private.partition("://")
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    authority, _, path = rest.partition("/")
    if "@" in authority:
        info, _, host = authority.rpartition("@")
        authority = f"{_mask_segment(info.split(':', 1)[0])}:****@{host}"
    segments = [_mask_segment(s) for s in path.split("/") if s]
    return f"{scheme}://{authority}/" + "/".join(segments)


def fingerprint(url: str) -> str:
    """A stable name for an operator URL (stored in the outbox instead of the URL)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def operator_urls() -> list[str]:
    return list(getattr(settings, "NOTIFY_OPERATOR_URLS", []) or [])


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def send_apprise(url: str, subject: str, body: str) -> SendResult:
    """Send through Apprise; the error, if any, is Apprise's own words, scrubbed."""
    secrets = redaction.secret_parts(url)
    with redaction.hiding(secrets):
        try:
            notifier = _apprise().Apprise(asset=_asset())
            if not notifier.add(url):
                return SendResult(False, "Apprise knows no service for this URL.")
            result = notifier.notify(body=body, title=subject, timeout=SEND_TIMEOUT_S)
        except Exception as exc:  # a plugin's own bug must not stop the other deliveries
            return SendResult(False, _short(redaction.scrub(f"{type(exc).__name__}: {exc}")))
        if result:
            return SendResult(True)
        lines = [
            entry.message
            for entry in result.logs()
            if str(entry.level).upper() in ("WARNING", "ERROR", "CRITICAL")
        ]
        error = " ".join(lines[-3:]) or f"The service did not accept the message ({result.status})."
        return SendResult(False, _short(redaction.scrub(error, secrets)))


def _mail_secrets() -> list[str]:
    password = str(getattr(settings, "EMAIL_HOST_PASSWORD", "") or "")
    return [password] if password else []


def send_email(address: str, subject: str, body: str) -> SendResult:
    """Send through Django's mail settings (EMAIL_HOST, EMAIL_PORT, ...)."""
    secrets = _mail_secrets()
    with redaction.hiding(secrets):
        try:
            connection = get_connection(fail_silently=False)
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=connection,
            )
            message.send()
        except Exception as exc:  # smtplib, socket and DNS errors alike
            text = f"The mail server refused or could not be reached: {type(exc).__name__}: {exc}"
            return SendResult(False, _short(redaction.scrub(text, secrets)))
    return SendResult(True)


def store_url(channel: object, url: str) -> None:
    """Seal ``url`` onto ``channel`` and keep its masked form (not saved here)."""
    from tracker_api.notifications import sealing

    clean = validate_url(url)
    channel.url_sealed = sealing.seal(clean)  # type: ignore[attr-defined]
    channel.url_masked = mask_url(clean)[:300]  # type: ignore[attr-defined]
