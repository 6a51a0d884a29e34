"""Where to take part, in a real Chromium: the debate page's Cruxes and Needs you panels load
with htmx, and without JavaScript they are links to their pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments.models import Debate
from tests.browser.test_tree import sign_up
from tests.conftest import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(transactional_db):
    seed_demo()  # the command once per test process (tests/conftest.py)
    return Debate.objects.get(slug="open-weight-ai")


def test_the_panels_load_the_cruxes_and_what_needs_a_writer(page, seeded):
    sign_up(page, "newcomer")
    page.goto(seeded.get_absolute_url())
    cruxes = page.locator(".cruxes-panel")
    expect(cruxes.locator(".crux")).to_have_count(3)
    expect(cruxes.get_by_text("cannot be withdrawn")).to_be_visible()  # the most divided
    needs = page.locator(".gaps-panel")
    expect(needs.get_by_role("link", name="Add source").first).to_be_visible()
    needs.get_by_role("link", name="Add pro").first.click()
    expect(page.locator("textarea[name=text]")).to_be_visible()  # the add form


def test_without_javascript_the_panels_are_links(page_without_js, seeded):
    page = page_without_js
    page.goto(seeded.get_absolute_url())
    page.get_by_role("link", name="Where the room is most divided").click()
    expect(page.get_by_role("heading", name="Cruxes")).to_be_visible()
    expect(page.locator(".crux")).to_have_count(3)
