"""The argument map in a real Chromium, on the demo debate: a segment leads to its claim
without a page reload, the keyboard reaches the segments, and the list says the same."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments.models import Debate
from tests.browser.test_embed import HostSite, snippet_for
from tests.conftest import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    seed_demo()  # the command once per test process (tests/conftest.py)
    return "/d/open-weight-ai/map/"


def test_a_con_segment_opens_its_claim_without_a_reload(page, demo):
    page.goto(demo)
    page.evaluate("window.__sameDocument = true")
    con = page.locator(".map-sunburst a.seg.con").first
    label = con.get_attribute("aria-label")
    href = con.get_attribute("href")
    assert label.startswith("Con")
    con.click()
    page.wait_for_url(f"**{href}")
    claim_text = label.split(": ", 1)[1]
    expect(page.locator("h1, .claim-text").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(claim_text[:60])
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    page.go_back()
    page.wait_for_url(f"**{demo}")
    expect(page.locator(".map-sunburst svg")).to_be_visible()


def test_the_keyboard_reaches_the_segments_and_the_list_names_the_same_claims(page, demo):
    page.goto(demo)
    for _ in range(40):  # past the header and the map's own links
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.closest('.map-sunburst') ? "
            "document.activeElement.getAttribute('aria-label') : null"
        )
        if focused:
            break
    assert focused, "Tab never reached a segment of the map"
    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/**")
    page.goto(demo)
    drawn = page.eval_on_selector_all(
        ".map-sunburst a", "links => links.map(a => a.getAttribute('href'))"
    )
    listed = page.eval_on_selector_all(
        ".map-outline a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(drawn) > 20
    assert sorted(drawn) == sorted(listed)


def test_the_embedded_map_renders_in_a_cross_origin_frame_and_resizes(page, demo, live_server):
    host = HostSite()
    try:
        Debate.objects.filter(slug="open-weight-ai").update(embed_origins=host.origin)
        snippet = snippet_for(live_server, f"{live_server.url}{demo}")  # oEmbed of the map page
        assert "view=map" in snippet
        page.goto(host.page("/course.html", snippet))
        frame = page.frame_locator("iframe")
        expect(frame.locator(".argmap a.seg").first).to_be_attached()
        page.wait_for_function("() => document.querySelector('iframe').style.height !== ''")
        height = page.locator("iframe").evaluate("f => f.getBoundingClientRect().height")
        assert height > 400  # grew to the map (the snippet starts it smaller)
    finally:
        host.close()


def test_the_side_panel_shows_a_segment_on_hover_focus_and_a_first_tap(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(demo)
    panel = page.locator(".map-panel")
    con = page.locator(".map-sunburst a.seg.con").first
    con.hover()
    expect(panel).to_contain_text(con.get_attribute("data-text"))
    expect(panel).to_contain_text("Con")
    expect(panel.get_by_role("link", name="Open")).to_have_attribute(
        "href", con.get_attribute("href")
    )
    pro = page.locator(".map-sunburst a.seg.pro").first
    pro.focus()
    expect(panel).to_contain_text(pro.get_attribute("data-text"))
    context.close()
    # A phone: the first tap shows the claim below the map, the second opens it.
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    page = phone.new_page()
    page.goto(demo)
    segment = page.locator(".map-sunburst a.seg.pro").first
    segment.scroll_into_view_if_needed()
    segment.tap()
    panel = page.locator(".map-panel")
    expect(panel).to_contain_text(segment.get_attribute("data-text"))
    assert "/map/" in page.url
    box = panel.bounding_box()
    assert box and box["y"] + box["height"] <= 844 + 1  # in sight, at the bottom of the screen
    segment.tap()
    page.wait_for_url("**/claims/**")
    phone.close()
