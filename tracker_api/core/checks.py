"""System checks that refuse to start a tracker configured wrong (outside DEBUG).

The secret checks are registered under the tag ``startup``: ``manage.py`` runs them before
every command that runs system checks (``migrate``, ``check``, ``audible_sync`` ...), and the
WSGI entry point runs them before gunicorn serves a request (gunicorn runs no system checks of
its own). The port check concerns the web server only (a cron container may be handed any
PORT), so the WSGI entry point and ``check --deploy`` run it. A tracker with a public secret or
a port its healthcheck does not probe never comes up:

* ``SECRET_KEY`` and ``AUDIBLE_API_SECRET`` set, long enough and not a placeholder from
  ``.env.example`` (``audible_contract.secrets``); ``CRON_SECRET`` may be empty (the cron URL
  then accepts nothing) but never a placeholder or short, and never the gateway's secret;
* ``PORT`` equal to ``TRACKER_PROBE_PORT``, the port the image's HEALTHCHECK probes: a tracker
  bound elsewhere would be reported healthy by nothing, or unhealthy for ever.

DEBUG turns them off: development generates or accepts throwaway values.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from audible_contract.secrets import secret_problem

STARTUP_TAG = "startup"
# (setting, required): CRON_SECRET may stay empty, which switches the cron URL off.
SECRETS = (("SECRET_KEY", True), ("AUDIBLE_API_SECRET", True), ("CRON_SECRET", False))


@checks.register(STARTUP_TAG)
def check_secrets(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.Error]:
    """Missing, short or placeholder secrets (see the module docstring)."""
    if settings.DEBUG:
        return []
    errors = [
        checks.Error(problem, hint="`make secrets` prints fresh values.", id="tracker.E001")
        for name, required in SECRETS
        if (problem := secret_problem(name, getattr(settings, name, ""), required=required))
    ]
    cron, shared = getattr(settings, "CRON_SECRET", ""), getattr(settings, "AUDIBLE_API_SECRET", "")
    if cron and cron == shared:
        errors.append(
            checks.Error(
                "CRON_SECRET equals AUDIBLE_API_SECRET: whoever may trigger the cron URL could "
                "then call the gateway.",
                hint="Give CRON_SECRET a value of its own.",
                id="tracker.E002",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_port(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.Error]:
    """PORT must be the port the container healthcheck probes (TRACKER_PROBE_PORT)."""
    if settings.DEBUG:
        return []
    port, probed = os.environ.get("PORT", "").strip(), os.environ.get("TRACKER_PROBE_PORT", "")
    if port and probed.strip() and port != probed.strip():
        return [
            checks.Error(
                f"PORT is {port} but the healthcheck probes port {probed.strip()}.",
                hint="Leave PORT unset in the tracker's environment (the image sets it), or "
                "set TRACKER_PROBE_PORT to the same value and publish that port.",
                id="tracker.E003",
            )
        ]
    return []


def refuse_to_start_wrong() -> None:
    """Raise ImproperlyConfigured listing every startup error (the WSGI entry point's guard)."""
    errors = [m for m in checks.run_checks(tags=[STARTUP_TAG]) if m.is_serious()]
    errors += check_port()
    if errors:
        raise ImproperlyConfigured(
            "Refusing to start: " + " ".join(f"{m.id}: {m.msg}" for m in errors)
        )
