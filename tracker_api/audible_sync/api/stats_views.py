"""``GET /api/stats``: listening time, books finished, current streak (no Audible call)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.audible_sync import stats
from tracker_api.audible_sync.api import filters
from tracker_api.core.schema import ErrorSerializer


class DayListenedSerializer(serializers.Serializer):
    date = serializers.DateField()
    listened_ms = serializers.IntegerField(min_value=0)


class MonthListenedSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    listened_ms = serializers.IntegerField(min_value=0)


class ListeningSerializer(serializers.Serializer):
    by_day = DayListenedSerializer(many=True, help_text="Oldest first, every day present.")
    by_month = MonthListenedSerializer(many=True, help_text="Oldest first, every month present.")
    days_total_ms = serializers.IntegerField()
    months_total_ms = serializers.IntegerField()
    fetched_at = serializers.DateTimeField(
        allow_null=True, help_text="When a sync last fetched Audible's figures; null: never."
    )


class MonthCountSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$")
    count = serializers.IntegerField()


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()


class FinishedSerializer(serializers.Serializer):
    by_month = MonthCountSerializer(many=True, help_text="Months with a finish, oldest first.")
    by_year = YearCountSerializer(many=True, help_text="Years with a finish, oldest first.")
    this_year = serializers.IntegerField()


class StreakSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Consecutive days with listening.")
    ends_on = serializers.DateField(allow_null=True, help_text="Today or yesterday; null: none.")


class PersonStatsSerializer(serializers.Serializer):
    listening = ListeningSerializer()
    finished = FinishedSerializer()
    streak = StreakSerializer()


STATS_EXAMPLE = {
    "listening": {
        "by_day": [{"date": "2026-11-24", "listened_ms": 0},
                   {"date": "2026-11-25", "listened_ms": 5_400_000}],
        "by_month": [{"month": "2026-10", "listened_ms": 61_200_000},
                     {"month": "2026-11", "listened_ms": 48_600_000}],
        "days_total_ms": 5_400_000,
        "months_total_ms": 109_800_000,
        "fetched_at": "2026-11-25T17:27:34Z",
    },
    "finished": {
        "by_month": [{"month": "2025-03", "count": 2}, {"month": "2026-11", "count": 1}],
        "by_year": [{"year": 2025, "count": 2}, {"year": 2026, "count": 1}],
        "this_year": 1,
    },
    "streak": {"days": 1, "ends_on": "2026-11-25"},
}  # fmt: skip


class StatsView(APIView):
    @extend_schema(
        tags=["statistics"],
        summary="My listening time, books finished and current streak",
        description="Listening per day and month comes from Audible's own aggregates as the "
        "last sync stored them (no Audible call here); books finished from my finished reads. "
        "Days and months are UTC.",
        parameters=[
            OpenApiParameter("days", OpenApiTypes.INT, description="Days back (1-366, 30)."),
            OpenApiParameter("months", OpenApiTypes.INT, description="Months back (1-120, 12)."),
        ],
        responses={200: PersonStatsSerializer, 400: ErrorSerializer},
        examples=[OpenApiExample("My statistics", value=STATS_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        days = _within(filters.integer(request.query_params, "days"), "days", 30, stats.MAX_DAYS)
        months = _within(
            filters.integer(request.query_params, "months"), "months", 12, stats.MAX_MONTHS
        )
        return Response(
            PersonStatsSerializer(stats.person_stats(request.user, days=days, months=months)).data
        )


def _within(value: int | None, name: str, default: int, most: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= most:
        raise serializers.ValidationError({name: [f"Must be 1 to {most}."]})
    return value
