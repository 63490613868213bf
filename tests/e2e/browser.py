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


WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      let scroller = el.parentElement, clipped = false;
      while (scroller && scroller !== document.body) {
        const style = getComputedStyle(scroller);
        if (['auto', 'hidden', 'scroll'].includes(style.overflowX)) {
          clipped = true;
          break;
        }
        scroller = scroller.parentElement;
      }
      if (clipped) continue;
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      found.push(name + ' right=' + Math.round(box.right));
    }
  }
  return found.slice(0, 12);
}"""


def horizontal_overflow(page: Any) -> tuple[int, list[str]]:
    """How far the page scrolls sideways (0: not at all) and the elements sticking out."""
    extra = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return int(extra), ([] if extra <= 0 else page.evaluate(WIDER_THAN_VIEWPORT))
