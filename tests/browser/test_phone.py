"""Phones first-class (issue 29, item 6), measured in Chromium at 390x844 on the demo debate:
the header is one line, the first screen holds the question, the thesis and at least two
arguments, every control is at least 24x24 CSS px (WCAG 2.5.8) and most at least 44x44
(2.5.5), and wide tables scroll inside their box instead of the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from arguments.models import Debate, Membership, Role
from tests.conftest import seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
STANDALONE = (
    ".site-header a, .site-header button, .debate-head summary, .debate-head button,"
    " .debate-head select, .debate-head input:not([type=hidden]), .claim-menu > summary,"
    " .column-add, button.step, .claim-open"
)
CONTROLS = (
    ".site-header a, .site-header button, .debate-head a, .debate-head button,"
    " .debate-head summary, .debate-head select, .debate-head input:not([type=hidden]),"
    " .tree a, .tree button, .tree summary"
)


@pytest.fixture
def demo(transactional_db) -> Debate:
    seed_demo()  # the command once per test process (tests/conftest.py)
    return Debate.objects.get(slug="open-weight-ai")


def phone(browser, live_server, user=None):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
    return context.new_page()


def visible_boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """els => els.map(e => {
            const r = e.getBoundingClientRect();
            const style = getComputedStyle(e);
            const shown = r.width > 0 && r.height > 0 && style.visibility !== "hidden"
                && !e.closest("[hidden], details:not([open]) > :not(summary)")
                && !e.closest(".visually-hidden");
            return {shown, w: r.width, h: r.height, top: r.top, bottom: r.bottom,
                    what: e.tagName + " " + (e.textContent || e.value || "").trim().slice(0, 30)};
        }).filter(b => b.shown)""",
    )


@pytest.mark.parametrize("persona", ["visitor", "writer"])
def test_the_first_screen_of_a_phone_holds_the_question_the_thesis_and_two_arguments(
    browser, live_server, demo, persona
):
    user = None
    if persona == "writer":
        user = UserFactory(username="wren")
        Membership.objects.create(debate=demo, user=user, role=Role.WRITER)
    page = phone(browser, live_server, user)
    page.goto(demo.get_absolute_url())
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 60, f"the header wraps: {header['height']} px tall"
    assert (
        page.locator("h1").bounding_box()["y"] + page.locator("h1").bounding_box()["height"]
        <= PHONE["height"]
    )
    texts = page.locator(".tree .claim-text")
    thesis = texts.nth(0).bounding_box()
    assert thesis["y"] + thesis["height"] <= PHONE["height"], "the thesis is below the fold"
    second = texts.nth(2).bounding_box()  # the thesis, then its first two arguments
    assert second["y"] + second["height"] <= PHONE["height"], (
        f"the second argument ends at y={second['y'] + second['height']:.0f}"
    )
    # Nothing is wider than the screen: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("persona", ["visitor", "writer"])
def test_every_tap_target_is_at_least_24_px_and_most_44(browser, live_server, demo, persona):
    user = None
    if persona == "writer":
        user = UserFactory(username="wren")
        Membership.objects.create(debate=demo, user=user, role=Role.WRITER)
    page = phone(browser, live_server, user)
    page.goto(demo.get_absolute_url())
    boxes = visible_boxes(page, CONTROLS)
    assert len(boxes) > 20
    small = [b for b in boxes if b["w"] < 24 or b["h"] < 24]
    assert small == [], f"{len(small)} of {len(boxes)} controls under 24x24: {small[:5]}"
    # Controls that stand alone (not words inside a line of text) are 44x44 (WCAG 2.5.5).
    alone = visible_boxes(page, STANDALONE)
    under = [b for b in alone if b["w"] < 44 or b["h"] < 44]
    assert under == [], f"{len(under)} of {len(alone)} lone controls under 44x44: {under[:5]}"


def test_a_wide_table_scrolls_inside_its_box(browser, live_server, demo):
    owner = demo.owner
    page = phone(browser, live_server, owner)
    page.goto(f"/d/{demo.slug}/settings/activity/")
    expect(page.locator("table").first).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
