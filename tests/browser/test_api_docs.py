"""The API's browsable docs (/api/v1/docs, ninja's Swagger UI) in a real Chromium, under
our strict Content-Security-Policy: every operation listed, no violation, and nothing asked
of another site (the docs' scripts and styles are ninja's own static files, served here)."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_csp import WATCH

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]


def test_the_api_docs_render_under_the_policy_from_our_own_files(page, live_server):
    page.add_init_script(WATCH)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
        ),
    )
    page.goto("/api/v1/docs")
    operations = 0
    for _ in range(100):  # polled: the page's CSP forbids wait_for_function's eval
        operations = page.evaluate("document.querySelectorAll('.opblock').length")
        if operations >= 10:
            break
        time.sleep(0.1)
    assert operations >= 10, "the docs did not list the API's operations"
    assert page.evaluate("window.__csp") == []
    assert [url for url in elsewhere if not url.startswith("data:")] == []
