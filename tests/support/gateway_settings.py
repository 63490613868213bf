"""Point the in-process tracker at a live test gateway with fast retries.

One block of settings that the live-stack suites used to spell out each; every suite keeps its
own budgets (the values passed), only the repetition goes.
"""

from __future__ import annotations

from typing import Any


def use_live_gateway(
    settings: Any,
    url: str,
    secret: str,
    *,
    attempts: int,
    budget_s: float,
    max_wait_s: float | None = None,
    read_timeout_s: float | None = None,
) -> None:
    """Set the tracker's gateway address, secret and retry knobs on pytest-django's ``settings``.

    ``max_wait_s`` and ``read_timeout_s`` are left at the project's defaults when not given.
    """
    settings.AUDIBLE_SERVICE_URL = url
    settings.AUDIBLE_API_SECRET = secret
    settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = attempts
    settings.AUDIBLE_GATEWAY_RETRY_BASE_S = 0.01
    if max_wait_s is not None:
        settings.AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S = max_wait_s
    settings.AUDIBLE_GATEWAY_RETRY_BUDGET_S = budget_s
    if read_timeout_s is not None:
        settings.AUDIBLE_GATEWAY_READ_TIMEOUT_S = read_timeout_s
