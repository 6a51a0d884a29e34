"""The opinion map in Chromium (issue 33): axe-core finds no WCAG violation on it at desktop
and phone width, light and dark, for a visitor and for a voter whose own dot is ringed."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from arguments.bench.opinions import plant_camps
from arguments.models import Debate
from arguments.tasks.opinions import opinions_compute
from tests.browser.test_accessibility import WIDTHS, sign_in, violations_on
from tests.conftest import seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.timeout(300)
def test_the_opinion_map_has_no_wcag_violation(browser, live_server) -> None:
    seed_demo()  # the command once per test process (tests/conftest.py)
    debate = Debate.objects.get(slug="open-weight-ai")
    voter = UserFactory(username="voter")
    plant_camps(debate, voters=29, per_voter=30, also=[voter])
    opinions_compute(debate.pk)
    address = reverse("arguments:debate_opinions", args=[debate.slug])
    axe = Axe()
    found: list[str] = []
    # The voter (a ringed dot of their own) at both widths, in the light and dark schemes
    # at desktop width, and a visitor at phone width.
    runs = [("voter", "light", "desktop"), ("voter", "light", "phone"),
            ("voter", "dark", "desktop"), ("visitor", "light", "phone")]  # fmt: skip
    for who, scheme, width_name in runs:
        width, height = WIDTHS[width_name]
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            color_scheme=scheme,
        )
        if who == "voter":
            sign_in(context, live_server, voter)
        page = context.new_page()
        page.goto(address)
        assert page.locator("svg.opinion-map circle.dot").count() >= 20
        assert page.locator("svg.opinion-map .mine-ring").count() == (who == "voter")
        found += violations_on(page, axe, f"{who} {scheme} {width_name}")
        context.close()
    assert not found, "\n".join(found)
