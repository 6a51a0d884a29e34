"""Right to left in Chromium (issue 34): the debate page, the map and the settings page served
in Arabic and laid out with `dir="rtl"`, at desktop and phone width: no axe-core violation, no
sideways scroll, and the map drawn mirrored."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from arguments.models import Debate, Membership, Role
from tests.browser.test_accessibility import WIDTHS, seeded, sign_in, violations_on
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["seeded"]  # the demo debates, a fixture shared with the accessibility test

# The page says dir="rtl" itself once the interface speaks Arabic (templates/base.html); until
# then, and to test the stylesheets alone, the browser sets it before any script runs.
RTL = (
    "document.addEventListener('DOMContentLoaded', () => {"
    " document.documentElement.dir = 'rtl'; }, {capture: true});"
)


def test_arabic_pages_read_right_to_left_without_violations(
    browser, live_server, seeded: Debate, settings
) -> None:
    settings.LANGUAGE_CODE = "ar"  # the language when no request names one
    owner = UserFactory(username="owner")
    Membership.objects.update_or_create(debate=seeded, user=owner, defaults={"role": Role.OWNER})
    slug = seeded.slug
    pages = [
        seeded.get_absolute_url(),
        reverse("arguments:debate_map", args=[slug]),
        reverse("arguments:debate_settings", args=[slug]),
        reverse("arguments:profile"),
    ]
    found: list[str] = []
    axe = Axe()
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, locale="ar"
        )
        context.add_init_script(RTL)
        sign_in(context, live_server, owner)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for address in pages:
            page.goto(address)
            where = f"{width_name} {address}"
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", where
            sideways = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert sideways <= 0, f"{where} scrolls sideways by {sideways}px"
            found += violations_on(page, axe, where)
        page.goto(pages[1])
        assert page.locator("svg.argmap[direction=rtl]").count() == 1
        context.close()
    assert not found, "\n".join(found)
