"""``/api/docs`` in a real headless Chromium with every other host cut off: the Redoc page,
its script, styles and fonts come from the tracker alone, and it renders the operations."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.browser import allow_orm_beside_playwright
from tests.e2e.browser import chromium_page

allow_orm_beside_playwright()
pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_works_with_no_network(live_server):
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    loaded: list[str] = []

    def only_the_tracker(route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith(("data:", "blob:")):
            loaded.append(url)
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    with chromium_page() as page:
        page.route("**/*", only_the_tracker)
        page.goto(f"{live_server.url}/api/docs")
        heading = page.locator("h2", has_text="List my Audible titles and where each went")
        heading.first.wait_for(timeout=60_000)  # Redoc rendered the schema's operations
        assert page.get_by_text("Getting a token").first.is_visible()
        fonts = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert elsewhere == [], elsewhere
    assert any("redoc.standalone.js" in url for url in loaded), loaded
    assert any(url.endswith("/api/schema") for url in loaded), loaded
    assert "Montserrat" not in fonts
