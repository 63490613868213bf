"""The tracker loads nothing of the gateway: no ``audible_gateway``, Flask, ``audible`` or
cryptography in ``sys.modules`` after Django is set up and every tracker module is imported.

Run in a fresh interpreter, so what the test process itself imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_ONLY = ("audible_gateway", "flask", "werkzeug", "audible", "cryptography", "httpx")

PROBE = r"""
import importlib, json, pkgutil, sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
import tracker_api
# Every module of the tracker but the demo launcher (a development tool that starts the
# gateway as a separate process and reads its sample files by path).
for info in pkgutil.walk_packages(tracker_api.__path__, "tracker_api."):
    if info.name.startswith("tracker_api.demo") or info.name.endswith("settings_test"):
        continue
    importlib.import_module(info.name)
for name, app in get_commands().items():
    if app.startswith("tracker_api"):
        load_command_class(app, name)
import tracker_api.config.urls, tracker_api.config.wsgi  # noqa: E401
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps(loaded))
"""


def _top_level_modules(env_extra: dict[str, str]) -> set[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
        "SECRET_KEY": "an-import-probe-key-that-is-long-enough-0123456789",
        "AUDIBLE_API_SECRET": "an-import-probe-gateway-secret-0123456789",
        "DATABASE_URL": "sqlite:///:memory:",
        **env_extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_whole_tracker_loads_nothing_of_the_gateway():
    loaded = _top_level_modules({})
    assert "tracker_api" in loaded
    assert "django" in loaded
    assert "audible_contract" in loaded, "the tracker reads the shared contract"
    assert loaded.isdisjoint(GATEWAY_ONLY), sorted(loaded & set(GATEWAY_ONLY))


def test_importing_one_gateway_module_does_not_load_flask():
    """The package ``__init__`` is lazy: a pure module stays pure."""
    probe = (
        "import sys, audible_gateway, audible_gateway.errors; "
        "print(sorted(m for m in ('flask', 'httpx', 'cryptography', 'audible') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


COMMAND_PROBE = r"""
import json, sys
import django
django.setup()
from django.core.management import load_command_class
load_command_class("tracker_api.audible_sync", "audible_sync")
print(json.dumps(sorted(sys.modules)))
"""
# What `manage.py audible_sync` (cron, every 15 minutes) must not pay for: the gateway's
# stack, and the web side (admin modules, person pages, REST views, the schema generator),
# which load with the URL conf (tracker_api/core/admin_app.py).
NOT_IN_THE_SYNC_COMMAND = (
    *GATEWAY_ONLY,
    "bs4",
    "tracker_api.audible_sync.admin",
    "tracker_api.audible_sync.dashboard",
    "tracker_api.audible_sync.pages",
    "tracker_api.audible_sync.api",
    "tracker_api.core.admin",
    "tracker_api.config.urls",
    "drf_spectacular.openapi",
    "rest_framework.views",
)
# Everything the command loads, counted: 944 (requests, the gateway client's HTTP library,
# is about 120 of them). A few modules more is fine; a new dependency pulled in at start-up
# should be a decision.
MAX_SYNC_COMMAND_MODULES = 960


def _probe(code: str) -> Any:
    """Run ``code`` in a fresh interpreter on the production settings; its last line, parsed."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
        "SECRET_KEY": "an-import-probe-key-that-is-long-enough-0123456789",
        "AUDIBLE_API_SECRET": "an-import-probe-gateway-secret-0123456789",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_sync_command_loads_neither_the_gateway_nor_the_web_side():
    loaded = set(_probe(COMMAND_PROBE))
    assert "tracker_api.audible_sync.management.commands.audible_sync" in loaded
    assert "tracker_api.audible_sync.sync.service" in loaded
    unwanted = {
        name
        for name in loaded
        for prefix in NOT_IN_THE_SYNC_COMMAND
        if name == prefix or name.startswith(prefix + ".")
    }
    assert not unwanted, sorted(unwanted)
    assert len(loaded) <= MAX_SYNC_COMMAND_MODULES, len(loaded)


def test_the_admin_check_and_the_url_conf_discover_every_admin_module():
    """Discovery moved out of django.setup(): ``manage.py check`` still checks every
    ``ModelAdmin``, and the URL conf (what a request routes through) registers them all."""
    code = (
        "import json, django; django.setup()\n"
        "from django.contrib import admin\n"
        "from django.core import checks\n"
        "from tracker_api.notifications.models import Channel\n"
        "from tracker_api.audible_sync.models import AudibleConflict\n"
        "before = admin.site.is_registered(AudibleConflict)\n"
        "checks.run_checks(tags=[checks.Tags.admin])\n"
        "after_check = admin.site.is_registered(AudibleConflict), "
        "admin.site.is_registered(Channel)\n"
        "print(json.dumps([before, *after_check]))\n"
    )
    assert _probe(code) == [False, True, True]
    by_urls = (
        "import json, django; django.setup()\n"
        "import tracker_api.config.urls\n"
        "from django.contrib import admin\n"
        "from tracker_api.audible_sync.models import AudibleConflict\n"
        "print(json.dumps(admin.site.is_registered(AudibleConflict)))\n"
    )
    assert _probe(by_urls) is True


def test_the_gateway_worker_does_not_load_httpx_command_line_client():
    """gunicorn's ``audible_gateway:create_app()`` leaves out httpx's CLI (rich, pygments),
    which ``import httpx`` would otherwise load wherever those are installed."""
    probe = (
        "import json, sys, audible_gateway\n"
        "from cryptography.fernet import Fernet\n"
        "app = audible_gateway.create_app({'API_SECRET': 's' * 32, "
        "'ENCRYPTION_KEY': Fernet.generate_key().decode(), "
        "'AUDIBLE_SANDBOX_URL': 'http://127.0.0.1:9'})\n"
        "import httpx\n"
        "print(json.dumps([sorted(m for m in ('rich', 'pygments', 'httpx._main') "
        "if sys.modules.get(m) is not None), callable(httpx.main), 'httpx' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [[], True, True]
