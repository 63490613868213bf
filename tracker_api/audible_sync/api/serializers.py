"""Request and response shapes of the Audible endpoints, written so the OpenAPI schema is true.

Responses are built from these serializers only (never hand-made dicts), and the schema test
validates real answers against them with undeclared keys forbidden.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tracker_api.audible_sync import sync_bounds
from tracker_api.audible_sync.api.run_serializers import SyncRunSerializer
from tracker_api.audible_sync.api.undo_serializers import RevertSerializer
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import ConflictResolution
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import ImportPolicy
from tracker_api.audible_sync.models import MatchMethod
from tracker_api.audible_sync.models import Recommendation
from tracker_api.books.api.serializers import BookSerializer
from tracker_api.books.models import Book
from tracker_api.core.strict import StrictBodyMixin

MAX_SYNC_INTERVAL_MINUTES = 7 * 24 * 60

# --- the Audible item and its account -------------------------------------------------------


class AccountSerializer(serializers.Serializer):
    """Non-secret facts about the connected Audible account, as the gateway reports them."""

    locale = serializers.CharField(allow_null=True, required=False, help_text='e.g. "us".')
    domain = serializers.CharField(allow_null=True, required=False, help_text='e.g. "com".')
    marketplace_id = serializers.CharField(allow_null=True, required=False)
    customer_name = serializers.CharField(allow_null=True, required=False)
    customer_id = serializers.CharField(allow_null=True, required=False)
    device_name = serializers.CharField(allow_null=True, required=False)
    auth_modes = serializers.ListField(child=serializers.CharField(), required=False)
    with_username = serializers.BooleanField(required=False)


class ItemProgressSerializer(serializers.Serializer):
    percent = serializers.FloatField(min_value=0, max_value=100)
    is_finished = serializers.BooleanField()
    finished_at = serializers.DateTimeField(allow_null=True, required=False)
    position_ms = serializers.IntegerField(allow_null=True, required=False)
    position_updated_at = serializers.DateTimeField(allow_null=True, required=False)
    time_remaining_s = serializers.IntegerField(allow_null=True, required=False)


class SeriesEntrySerializer(serializers.Serializer):
    title = serializers.CharField()
    sequence = serializers.CharField(allow_null=True, required=False)


class AudibleItemSerializer(serializers.Serializer):
    """The last Audible snapshot of a title (the gateway's normalised item shape)."""

    asin = serializers.CharField()
    title = serializers.CharField(required=False)
    subtitle = serializers.CharField(allow_null=True, required=False)
    authors = serializers.ListField(child=serializers.CharField(), required=False)
    narrators = serializers.ListField(child=serializers.CharField(), required=False)
    series = SeriesEntrySerializer(many=True, required=False)
    isbn = serializers.CharField(allow_null=True, required=False)
    language = serializers.CharField(allow_null=True, required=False)
    release_date = serializers.CharField(allow_null=True, required=False)
    purchase_date = serializers.CharField(allow_null=True, required=False)
    runtime_min = serializers.IntegerField(allow_null=True, required=False)
    content_type = serializers.CharField(allow_null=True, required=False)
    content_delivery_type = serializers.CharField(allow_null=True, required=False)
    format_type = serializers.CharField(allow_null=True, required=False)
    is_podcast = serializers.BooleanField(required=False)
    origin_type = serializers.CharField(allow_null=True, required=False)
    status = serializers.CharField(required=False, help_text="Active or Revoked.")
    progress = ItemProgressSerializer(required=False)


# --- POST /api/audible/auth -------------------------------------------------------------------


class AuthRequestSerializer(StrictBodyMixin, serializers.Serializer):
    """The gateway's ``/api/auth`` body, passed through unchanged (see docs/api.md).

    ``external``: ``{"method", "locale"}`` starts a browser login; ``{"method", "state",
    "redirect_url"}`` finishes it. ``file``: ``{"method", "auth_file", "password"?, "locale"?}``.
    ``password``: ``{"method", "email", "password", "locale", "otp_code"?}``.
    """

    method = serializers.ChoiceField(choices=["external", "file", "password"])
    locale = serializers.CharField(required=False, help_text="Marketplace: us, uk, de, ...")
    with_username = serializers.BooleanField(
        required=False, help_text="Log in with an Audible username (de, us, uk only)."
    )
    state = serializers.CharField(required=False, help_text="From the login_required answer.")
    redirect_url = serializers.CharField(
        required=False, help_text="The address the browser ended on after logging in."
    )
    auth_file = serializers.JSONField(
        required=False, help_text="An audible-cli auth file: its JSON, or base64 of its bytes."
    )
    # Passwords travel exactly as typed: leading or trailing spaces are part of them.
    password = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="Amazon password, or the auth file's password.",
    )
    email = serializers.CharField(required=False)
    otp_code = serializers.CharField(required=False, help_text="One-time code for 2FA.")


class AuthResponseSerializer(serializers.Serializer):
    """``login_required`` (open ``login_url``, then send ``state`` + ``redirect_url``) or
    ``connected``. The sealed credentials are stored, never returned."""

    status = serializers.ChoiceField(choices=["login_required", "connected"])
    login_url = serializers.URLField(required=False)
    state = serializers.CharField(required=False)
    expires_in = serializers.IntegerField(
        required=False, help_text="Seconds the login state stays valid."
    )
    account = AccountSerializer(required=False)


class DisconnectResultSerializer(serializers.Serializer):
    """What ``DELETE /api/audible/auth`` did."""

    status = serializers.ChoiceField(choices=["disconnected"])
    was_connected = serializers.BooleanField(help_text="There were credentials to forget.")
    deregistered = serializers.BooleanField(
        help_text="Amazon dropped the device just now (false: it had already stopped "
        "accepting it, or nothing was connected)."
    )


# --- GET|PUT|PATCH /api/audible/config --------------------------------------------------------


class ConfigSerializer(StrictBodyMixin, serializers.ModelSerializer):
    """Sync preferences (writable) and the connection's facts (read-only). The sealed
    credentials are never part of it."""

    sync_interval_minutes = serializers.IntegerField(
        required=False,
        max_value=MAX_SYNC_INTERVAL_MINUTES,
        help_text="Minutes between automatic syncs; at least the server's floor (15 by default).",
    )
    daily_sync_cap = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Most syncs in any 24 hours; at most the server's cap (48 by default).",
    )
    import_policy = serializers.ChoiceField(choices=ImportPolicy.choices, required=False)
    connected = serializers.BooleanField(source="is_connected", read_only=True)
    account = AccountSerializer(read_only=True)

    class Meta:
        model = AudibleConfig
        fields = [
            "enabled",
            "auto_sync",
            "sync_interval_minutes",
            "daily_sync_cap",
            "import_policy",
            "import_podcasts",
            "connected",
            "needs_relogin",
            "account",
            "connected_at",
            "last_sync_at",
            "next_sync_at",
        ]
        read_only_fields = [
            "needs_relogin",
            "connected_at",
            "last_sync_at",
            "next_sync_at",
        ]

    def validate_sync_interval_minutes(self, value: int) -> int:
        floor = sync_bounds.min_sync_interval_minutes()
        if value < floor:
            raise serializers.ValidationError(f"Must be at least {floor} minutes.")
        return value

    def validate_daily_sync_cap(self, value: int) -> int:
        cap = sync_bounds.max_daily_sync_cap()
        if value > cap:
            raise serializers.ValidationError(f"Must be at most {cap} syncs a day.")
        return value


# --- GET /api/audible/status ------------------------------------------------------------------


class ConnectionStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_connected", "connected", "needs_relogin"],
        help_text="needs_relogin: Audible refused the stored credentials; connect again.",
    )
    connected = serializers.BooleanField()
    needs_relogin = serializers.BooleanField()
    enabled = serializers.BooleanField()
    auto_sync = serializers.BooleanField()
    account = AccountSerializer()
    connected_at = serializers.DateTimeField(allow_null=True)


class RateLimitStatusSerializer(serializers.Serializer):
    allowed = serializers.BooleanField(help_text="Whether a sync may start now.")
    reason = serializers.ChoiceField(
        choices=["", "interval", "daily_cap"], help_text="Why not, when not allowed."
    )
    next_allowed_at = serializers.DateTimeField(
        allow_null=True, help_text="Earliest start of the next sync; null: now."
    )
    next_scheduled_at = serializers.DateTimeField(
        allow_null=True, help_text="When auto-sync will next run, if it is on."
    )
    audible_backoff_until = serializers.DateTimeField(
        allow_null=True, help_text="Audible asked us to wait until then (HTTP 429)."
    )
    min_interval_minutes = serializers.IntegerField()
    daily_sync_cap = serializers.IntegerField()
    syncs_last_24h = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    mapped = serializers.IntegerField(help_text="Audible titles linked to a book.")
    ignored = serializers.IntegerField(help_text='Titles marked "not mine".')
    not_in_library = serializers.IntegerField(help_text="Mapped titles Audible no longer lists.")
    open_conflicts = serializers.IntegerField()
    reading = serializers.IntegerField(help_text="Linked books being read.")
    finished = serializers.IntegerField(help_text="Linked books read.")


class StatusSerializer(serializers.Serializer):
    connection = ConnectionStatusSerializer()
    rate_limit = RateLimitStatusSerializer()
    last_sync = SyncRunSerializer(allow_null=True)
    sync_running = serializers.BooleanField()
    stats = StatsSerializer()


# --- conflicts, links -------------------------------------------------------------------------


class CandidateSerializer(serializers.Serializer):
    """One ranked candidate: the book as it was when scored, and why it scored so."""

    book_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(allow_blank=True)
    authors = serializers.ListField(child=serializers.CharField())
    series = serializers.CharField(allow_null=True, help_text="The book's series, if any.")
    series_position = serializers.CharField(
        allow_null=True, help_text='Its position in the series as written, e.g. "2.5".'
    )
    year = serializers.IntegerField(allow_null=True, help_text="The book's year.")
    similarity = serializers.FloatField(help_text="1 - distance; 1.0 is identical.")
    distance = serializers.FloatField(help_text="0 identical ... 1 unrelated.")
    tier = serializers.ChoiceField(
        choices=["strong", "medium", "low"], help_text="The badge colour: green, amber, red."
    )
    reasons = serializers.ListField(child=serializers.CharField())
    penalties = serializers.DictField(child=serializers.FloatField())
    differs = serializers.ListField(
        child=serializers.CharField(), help_text='Penalty keys that disagree ("≠ ...").'
    )

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        from tracker_api.audible_sync.presentation import candidate_view

        return super().to_representation(candidate_view(instance))


def with_book_facts(candidates: Any, user_id: int | None) -> list[dict[str, Any]]:
    """Candidates stored before they carried series, position and year get them from the
    book as it now is (one query for them all)."""
    if not isinstance(candidates, list):
        return []
    wanted = [
        c.get("id", c.get("book_id"))
        for c in candidates
        if isinstance(c, dict) and not {"series", "series_position", "year"} <= set(c)
    ]
    ids = [i for i in wanted if isinstance(i, int) and not isinstance(i, bool)]
    if not ids or user_id is None:
        return [c for c in candidates if isinstance(c, dict)]
    facts = {
        row["id"]: row
        for row in Book.objects.filter(user_id=user_id, pk__in=ids).values(
            "id", "series", "series_position", "year"
        )
    }
    filled = []
    for candidate in candidates:
        if not isinstance(candidate, dict):
            continue
        key = candidate.get("id", candidate.get("book_id"))
        book = facts.get(key) if isinstance(key, int) else None
        if book is not None:
            candidate = {
                **{k: book[k] for k in ("series", "series_position", "year")},
                **candidate,
            }
        filled.append(candidate)
    return filled


class ConflictSerializer(serializers.ModelSerializer):
    item = AudibleItemSerializer()
    candidates = CandidateSerializer(many=True)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    status = serializers.ChoiceField(choices=ConflictStatus.choices)
    resolution = serializers.ChoiceField(
        choices=[("", "Open"), *ConflictResolution.choices],
        help_text="Empty while open.",
    )
    resolved_book_id = serializers.IntegerField(allow_null=True)
    resolved_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Username of whoever resolved it; null while open.",
    )

    class Meta:
        model = AudibleConflict
        fields = [
            "id",
            "asin",
            "status",
            "recommendation",
            "item",
            "candidates",
            "resolution",
            "resolved_book_id",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: AudibleConflict) -> dict[str, Any]:
        instance.candidates = with_book_facts(instance.candidates, instance.user_id)
        return super().to_representation(instance)


class MappingSerializer(serializers.ModelSerializer):
    book_id = serializers.IntegerField(allow_null=True)
    match_method = serializers.ChoiceField(choices=MatchMethod.choices)

    class Meta:
        model = AudibleBookMapping
        fields = [
            "id",
            "asin",
            "book_id",
            "match_method",
            "confidence",
            "ignored",
            "in_library",
            "last_percent",
            "last_is_finished",
            "last_position_ms",
            "last_finished_at",
            "last_seen_at",
        ]
        read_only_fields = fields


class LinkRequestSerializer(StrictBodyMixin, serializers.Serializer):
    """Exactly one of ``book_id``, ``create: true`` or ``ignore: true`` with the ``asin``."""

    asin = serializers.CharField(max_length=20)
    book_id = serializers.IntegerField(required=False, help_text="Link to this book of yours.")
    # A field named like Serializer.create (the stubs type that method).
    create = serializers.BooleanField(  # type: ignore[assignment]
        required=False, help_text="Create a book from the stored Audible item and link it."
    )
    ignore = serializers.BooleanField(required=False, help_text='Mark the title "not mine".')
    revert = serializers.BooleanField(
        required=False,
        default=False,
        help_text="When the title is linked to another book: first revert what that link "
        "wrote to it (status, percent, dates, the reads and history it wrote).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        chosen = [
            name for name in ("book_id", "create", "ignore") if attrs.get(name) not in (None, False)
        ]
        if len(chosen) != 1:
            raise serializers.ValidationError(
                "Send exactly one of book_id, create: true or ignore: true."
            )
        return attrs


class ResolveRequestSerializer(StrictBodyMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["link", "create", "ignore"])
    book_id = serializers.IntegerField(
        required=False, help_text="With action link: a candidate or any other of your books."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "link" and attrs.get("book_id") is None:
            raise serializers.ValidationError({"book_id": ["Required with action link."]})
        return attrs


class LinkResultSerializer(serializers.Serializer):
    """What a link, create, ignore or resolve did."""

    asin = serializers.CharField()
    mapping = MappingSerializer()
    book = BookSerializer(allow_null=True, help_text="The linked book as it now is.")
    resolved_conflict = ConflictSerializer(
        allow_null=True, help_text="The open conflict this closed, if there was one."
    )
    created_book = serializers.BooleanField()
    progress_applied = serializers.BooleanField(
        help_text="Whether the stored Audible progress changed the book just now."
    )
    reverted = RevertSerializer(
        allow_null=True, help_text="With revert: what was put back on the old book (or null)."
    )
