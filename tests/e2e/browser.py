"""Debian's chromium driven by Playwright, launched the way this machine needs.

Playwright's own browser download is not used (and cannot be: no network): the tests drive
``/usr/bin/chromium`` with the flags that keep it from reaching out to the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def allow_orm_beside_playwright() -> None:
    """Playwright's sync API runs its own event loop in the test's thread; the ORM calls of
    the test body are still plain synchronous calls, which Django must be told to allow."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@contextmanager
def chromium_page(width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """A fresh headless browser with one page; closed on the way out."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
