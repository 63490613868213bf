"""The admin app without discovery at start-up: admin modules load with the URL conf.

Django's default ``AdminConfig`` imports every app's ``admin`` module in ``django.setup()``;
here that pulls the dashboard, the person pages, the REST views, DRF and drf-spectacular:
about 270 modules and 0.2-0.4 s of every process, including ``manage.py audible_sync``, which
cron runs every 15 minutes and which never serves a page. So discovery happens where the admin
is used: ``tracker_api.config.urls`` (imported before the first request is routed and by every
``reverse``) calls ``admin.autodiscover()``, and the admin system check discovers first, so
``manage.py check`` (and ``check --deploy``) still checks every registered ``ModelAdmin``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app
from django.contrib.admin.checks import check_dependencies
from django.core import checks


def check_discovered_admin(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django's admin check, over every admin module (discovered first: idempotent)."""
    from django.contrib import admin

    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)


class TrackerAdminConfig(SimpleAdminConfig):
    """``django.contrib.admin`` whose ``admin`` modules load with the URL conf."""

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_discovered_admin, checks.Tags.admin)
