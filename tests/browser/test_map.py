"""The argument map in a real Chromium, on the demo debate: a segment leads to its claim
without a page reload, the keyboard reaches the segments, and the list says the same."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from arguments.models import Debate
from tests.browser.test_embed import HostSite, snippet_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
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
