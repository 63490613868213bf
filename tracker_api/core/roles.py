"""The two roles of an installation: a *person* and an *operator*.

* A **person** is staff (may log in to the admin) and a member of the ``person`` group, which
  holds exactly the model permissions listed in :data:`PERSON_PERMISSIONS`. The admin scopes
  every page to the person's own rows (``tracker_api.core.owner_admin``), so these permissions
  are over their own data only.
* An **operator** is a superuser: every row of every person, every setting, and the right to
  skip the sync rate limit (``force``). That right alone can also be given to a staff user or a
  group through the dedicated permission :data:`FORCE_SYNC_PERMISSION`.

The group is created by a data migration (``core/0001_person_group``) and kept current after
every ``migrate`` (``post_migrate``, see ``CoreConfig.ready``), so a permission added to or
removed from :data:`PERSON_PERMISSIONS` reaches every installation on its next migrate.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps

PERSON_GROUP = "person"
FORCE_SYNC_CODENAME = "force_sync"
FORCE_SYNC_PERMISSION = f"audible_sync.{FORCE_SYNC_CODENAME}"

# app label -> model name -> actions. Nothing about other people (users, groups) is here.
PERSON_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "books": {
        "book": ("view", "add", "change", "delete"),
        "bookread": ("view", "add", "change", "delete"),
    },
    "audible_sync": {
        "audibleconflict": ("view", "change"),
        "audiblebookmapping": ("view", "change"),
        "audiblesynclog": ("view", "undo"),
        "changeset": ("view",),
        "audibleprogresshistory": ("view",),
        "audibleconfig": ("view", "change"),
    },
    "authtoken": {"tokenproxy": ("view", "add", "delete")},
}


def person_permission_names() -> set[tuple[str, str]]:
    """``{(app_label, codename)}`` of the person group, e.g. ``("books", "view_book")``."""
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in PERSON_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }


def sync_person_group(apps: Any = global_apps, using: str = "default") -> Any:
    """Create the ``person`` group if needed and give it exactly the listed permissions.

    ``apps`` is the migration's historical registry in the data migration and the global one
    after ``migrate``. Permissions are created first (Django only makes them after the last
    migration), so this works on a fresh database too. Returns the group.
    """
    from django.contrib.auth.management import create_permissions

    for app_label in PERSON_PERMISSIONS:
        config = apps.get_app_config(app_label)
        stub = getattr(config, "models_module", None) is None  # a migration's AppConfigStub
        if stub:
            config.models_module = True  # create_permissions skips configs without models
        create_permissions(config, verbosity=0, apps=apps, using=using)
        if stub:
            config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    wanted = person_permission_names()
    permissions = [
        perm
        for perm in permission_model.objects.using(using).select_related("content_type")
        if (perm.content_type.app_label, perm.codename) in wanted
    ]
    found = {(p.content_type.app_label, p.codename) for p in permissions}
    missing = wanted - found
    if missing:
        raise LookupError(f"Permissions missing for the person group: {sorted(missing)}")
    group, _ = group_model.objects.using(using).get_or_create(name=PERSON_GROUP)
    group.permissions.set(permissions)
    return group


def is_operator(user: Any) -> bool:
    """Superusers, and anyone given the dedicated force-sync permission."""
    return bool(
        getattr(user, "is_active", False)
        and (user.is_superuser or user.has_perm(FORCE_SYNC_PERMISSION))
    )


def may_force_sync(user: Any) -> bool:
    """Whether ``user`` may skip our rate limit (never Audible's own back-off)."""
    return is_operator(user)
