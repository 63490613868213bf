"""Example bodies for the notifications operations in the OpenAPI document (made-up values)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

from tracker_api.notifications.events import CONFLICTS_WAITING

CHANNEL = {
    "id": 3,
    "name": "phone",
    "kind": "apprise",
    "url_masked": "ntfy://ntfy.example.org/b…",
    "email": "",
    "enabled": True,
    "status": "ok",
    "consecutive_failures": 0,
    "last_success_at": "2026-11-30T08:01:12Z",
    "last_failure_at": None,
    "last_error": "",
    "created_at": "2026-11-02T19:44:00Z",
}
SETTINGS = {
    "relogin_needed": True,
    "sync_failing": True,
    "failure_threshold": 3,
    "conflicts_waiting": True,
    "book_finished": False,
    "digest_day": 6,
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "time_zone": "Europe/Berlin",
}
NOTIFICATION = {
    "id": 41,
    "subject": "2 Audible titles need a decision",
    "body": "The sync at 08:00 found 2 titles it would not link alone.",
    "link": "https://tracker.example.org/admin/audible_sync/audibleconflict/?status=open",
    "created_at": "2026-11-30T08:00:41Z",
    "deliveries": [
        {
            "channel_id": 3,
            "label": "phone",
            "status": "delivered",
            "attempts": 1,
            "next_attempt_at": None,
            "delivered_at": "2026-11-30T08:01:12Z",
            "last_error": "",
        }
    ],
}

# An event code (not an error code: the docs' error-code collector reads "code" keys).
NOTIFICATION["code"] = CONFLICTS_WAITING


def _page(row: dict[str, object]) -> dict[str, object]:
    return {"count": 1, "next": None, "previous": None, "results": [row]}


CHANNEL_LIST = [OpenApiExample("channels", value=_page(CHANNEL), response_only=True)]
CHANNEL_ONE = [
    OpenApiExample(
        "ntfy channel",
        value={"name": "phone", "kind": "apprise", "url": "ntfy://ntfy.example.org/my-topic"},
        request_only=True,
    ),
    OpenApiExample("channel", value=CHANNEL, response_only=True),
]
TEST_RESULT = [
    OpenApiExample(
        "sent", value={"delivered": True, "error": "", "notification_id": 42}, response_only=True
    )
]
SETTINGS_EXAMPLES = [
    OpenApiExample("quiet hours", value={"quiet_start": "22:00", "quiet_end": "07:00"},
                   request_only=True),
    OpenApiExample("settings", value=SETTINGS, response_only=True),
]  # fmt: skip
NOTIFICATION_LIST = [OpenApiExample("messages", value=_page(NOTIFICATION), response_only=True)]
