"""OpenAPI generation: every operation also documents the error envelope it can return."""

from __future__ import annotations

from typing import Any
from typing import Literal

from drf_spectacular import openapi
from rest_framework import serializers

from tracker_api.core.schema_text import TAG_BY_PATH


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. not_found.")
    message = serializers.CharField(help_text="A sentence for people.")
    # A field named like Serializer.fields (the stubs type that attribute).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages (validation errors only).",
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait.")


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ErrorDetailSerializer()


class AutoSchema(openapi.AutoSchema):
    """Adds the error responses every operation may give: 400 for writes and filtered lists,
    401 unless anonymous access is allowed, 404 for detail paths and out-of-range pages,
    413 (body over the limit) and 415 (a content type no parser reads) for writes."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes: list[str] = []
        is_list = self.method == "GET" and self._is_list_view()
        if self.method in {"POST", "PUT", "PATCH"} or is_list:
            codes.append("400")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["413", "415"]
        if not self._allows_anonymous():
            codes.append("401")
        if self._is_detail() or is_list:
            codes.append("404")
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
        return responses

    def get_tags(self) -> list[str]:
        """The tag of the path (``TAG_BY_PATH``), so every operation sits under a described
        tag; an explicit ``extend_schema(tags=...)`` still wins."""
        tag = tag_for(self.path)
        return [tag] if tag else super().get_tags()

    def _allows_anonymous(self) -> bool:
        from rest_framework.permissions import AllowAny

        return any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _is_detail(self) -> bool:
        return "{" in self.path


def strict_request_bodies(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Postprocessing hook: request bodies take no undeclared key (``StrictBodyMixin``), so
    every request component says ``additionalProperties: false``; clients and fuzzers that read
    the schema then know an extra key is an error, not ignored."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and "properties" in component:
            component.setdefault("additionalProperties", False)
    return result


def tag_for(path: str) -> str | None:
    return next((tag for prefix, tag in TAG_BY_PATH if path.startswith(prefix)), None)
