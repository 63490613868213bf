"""Owner scoping for the admin: a person sees, counts and changes only their own rows.

Every model of the tracker belongs to one person, directly (``user``) or through a parent
(``BookRead.book.user``). :func:`owner_path` finds that path from the model's foreign keys, so
a new model is scoped without a hand-written rule. :class:`OwnerScopedAdmin` applies it to
everything the admin shows or accepts for a user who is not a superuser (an operator):

* the changelist, the change/delete/history pages (another person's row is a 404, exactly like
  one that does not exist), bulk actions (they receive the scoped queryset), date drill-down,
  facet counts and search results;
* foreign-key choices, raw-id labels and autocomplete (through the related model's scoped
  admin): a person can pick, and see the label of, only their own rows;
* the owner column, owner filter and owner search are dropped for a person (always them), and
  the owner field of a new row is set to them, never chosen.

Superusers see everything, as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.http import HttpRequest

from tracker_api.core.search_bounds import bounded_search_term

MAX_DEPTH = 3


def owner_path(model: type[models.Model], depth: int = 0) -> str | None:
    """The lookup from ``model`` to the owning user (``"user"``, ``"book__user"``), or None.

    The user model itself and models not owned by anyone (groups) have none.
    """
    user_model = get_user_model()
    if model is user_model or depth > MAX_DEPTH:
        return None
    for field in model._meta.get_fields():
        if field.name == "user" and getattr(field, "related_model", None) is user_model:
            return "user"
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            continue
        related = field.related_model
        if related is None or isinstance(related, str) or related in (user_model, model):
            continue
        inner = owner_path(related, depth + 1)
        if inner is not None:
            return f"{field.name}__{inner}"
    return None


def scoped(queryset: QuerySet, user: Any) -> QuerySet:
    """``queryset`` narrowed to ``user``'s rows (unchanged for superusers).

    A model without an owner path is nobody's data: a non-superuser gets none of it.
    """
    if user.is_superuser:
        return queryset
    if queryset.model is get_user_model():
        return queryset.filter(pk=user.pk)
    path = owner_path(queryset.model)
    if path is None:
        return queryset.none()
    return queryset.filter(**{path: user})


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input whose label (shown beside the typed id) comes only from allowed rows."""

    def __init__(self, *args: Any, allowed: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            if not self.allowed.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError):
            return "", ""
        return super().label_and_url_for_value(value)


class OwnerScopedMixin:
    """Shared by model admins and inlines: querysets and foreign-key choices per person."""

    def is_unscoped(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scoped(super().get_queryset(request), request.user)  # type: ignore[misc]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if not self.is_unscoped(request):
            kwargs["queryset"] = scoped(
                db_field.remote_field.model._default_manager.all(), request.user
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        raw_id = field is not None and isinstance(field.widget, ForeignKeyRawIdWidget)
        if raw_id and not self.is_unscoped(request):
            field.widget = ScopedRawIdWidget(
                db_field.remote_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
                allowed=kwargs["queryset"],
            )
        return field

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if not self.is_unscoped(request):
            kwargs["queryset"] = scoped(
                db_field.remote_field.model._default_manager.all(), request.user
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class OwnerScopedAdmin(OwnerScopedMixin, admin.ModelAdmin):
    """A ModelAdmin where a non-superuser sees and changes only their own rows."""

    def owner_field(self) -> str | None:
        """The owner's field on the model itself (``user``), when it has one."""
        path = owner_path(self.model)
        return path if path is not None and "__" not in path else None

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        return super().get_object(request, object_id, from_field)  # the scoped queryset

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        """Another person's row and a row that does not exist look the same: 404."""
        if self.is_unscoped(request):
            # Private Django API the stubs do not declare.
            return super()._get_obj_does_not_exist_redirect(  # type: ignore[misc]
                request, opts, object_id
            )
        raise Http404

    def _owner_names(self) -> set[str]:
        owner = self.owner_field()
        return {owner} if owner else set()

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = super().get_list_display(request)
        if self.is_unscoped(request):
            return shown
        return [name for name in shown if name not in self._owner_names()]

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)
        if links is None or self.is_unscoped(request):
            return links
        kept = [name for name in links if name in list_display]
        return kept or list(list_display)[:1]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        if self.is_unscoped(request):
            return filters
        kept: list[Any] = []
        for entry in filters:
            name = (
                entry
                if isinstance(entry, str)
                else str(entry[0])
                if isinstance(entry, tuple)
                else None
            )
            if name is not None and name.split("__")[0] in self._owner_names():
                continue
            if isinstance(entry, str) and self._is_relation(entry):
                # The plain related filter lists every row of the related table (and counts).
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            kept.append(entry)
        return kept

    def _is_relation(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name.split("__")[0])
        except FieldDoesNotExist:  # a callable or a custom filter's name
            return False
        return bool(field.is_relation)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> Any:
        """Django's search, on a bounded term: every word of a term is one condition per
        search field, so 10,000 words were a 500 (see ``tracker_api.core.search_bounds``)."""
        return super().get_search_results(request, queryset, bounded_search_term(search_term))

    def get_search_fields(self, request: HttpRequest) -> Any:
        fields = super().get_search_fields(request)
        if self.is_unscoped(request):
            return fields
        owners = self._owner_names()
        return [name for name in fields if name.lstrip("^=@").split("__")[0] not in owners]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """A person never chooses the owner of a row: it is them (see :meth:`save_model`)."""
        fieldsets = super().get_fieldsets(request, obj)
        owners = self._owner_names()
        if self.is_unscoped(request) or not owners:
            return fieldsets
        if owners & set(self.get_readonly_fields(request, obj)):
            return fieldsets
        return [
            (name, {**options, "fields": _without(options.get("fields", ()), owners)})
            for name, options in fieldsets
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        owner = self.owner_field()
        if owner and not change and not self.is_unscoped(request):
            setattr(obj, owner, request.user)
        super().save_model(request, obj, form, change)


class OwnerScopedInline(OwnerScopedMixin, admin.TabularInline):
    """An inline whose rows and choices are scoped like its parent's."""


def _without(fields: Any, names: set[str]) -> list[Any]:
    kept: list[Any] = []
    for entry in fields:
        if isinstance(entry, list | tuple):
            inner = [name for name in entry if name not in names]
            if inner:
                kept.append(tuple(inner))
        elif entry not in names:
            kept.append(entry)
    return kept
