"""A teacher's page on another site embeds a map with our snippet, in a real Chromium: the map
renders in its sandboxed frame, a branch expands (a cross-origin fragment request from the
frame's "null" origin), and the frame grows to fit. Framing the normal debate page is
refused by the browser."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Debate, Stance

pytestmark = pytest.mark.django_db(transaction=True)


class HostSite:
    """Another origin (another port): serves the HTML pages a test gives it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, path: str, body: str) -> str:
        self.pages[path] = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Course page</title></head><body><h1>Week 3: open models</h1>{body}"
            "<p>After the map.</p></body></html>"
        )
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def deep_debate(transactional_db, host: HostSite) -> dict[str, object]:
    """A public debate four levels deep; the course page's origin is on its allow-list
    (the default, any https origin, would not cover a plain-http test server)."""
    from tests.factories import UserFactory

    author = UserFactory(username="author")
    debate = services.debate_create(
        owner=author,
        title="Should model weights be released openly?",
        thesis="Developers should release model weights openly.",
    )
    Debate.objects.filter(pk=debate.pk).update(embed_origins=host.origin)
    thesis = debate.claims.get(is_thesis=True)
    claims = {"thesis": thesis}
    parent = thesis
    for name, text in [
        ("pro", "Open weights let researchers audit models."),
        ("sub", "Audits found real problems in released models."),
    ]:
        parent = claims[name] = services.claim_add(
            actor=author, parent=parent, stance=Stance.PRO, text=text
        )
    for i in range(4):  # the folded branch: several cons under `sub`, so expanding is tall
        claims[f"deep{i}"] = services.claim_add(
            actor=author,
            parent=claims["sub"],
            stance=Stance.CON,
            text=f"Audit finding {i} was later disputed by the developers.",
        )
    claims["debate"] = debate
    return claims


def snippet_for(live_server, page_url: str) -> str:
    """The snippet as an oEmbed consumer (or the Embed dialog) gets it."""
    query = urllib.parse.urlencode({"url": page_url, "format": "json"})
    with urllib.request.urlopen(f"{live_server.url}/oembed?{query}") as response:
        return json.load(response)["html"]


def iframe_height(page) -> float:
    return page.locator("iframe").evaluate("frame => frame.getBoundingClientRect().height")


def test_a_course_page_embeds_a_map_that_expands_and_grows(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    snippet = snippet_for(live_server, f"{live_server.url}{debate.get_absolute_url()}")
    assert 'sandbox="allow-scripts' in snippet and "/static/js/embed.js" in snippet
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(host.page("/course.html", snippet))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("tree")).to_be_visible()
    expect(frame.get_by_text(deep_debate["sub"].text)).to_be_visible()
    expect(frame.get_by_role("link", name="Open in new tab to take part")).to_be_visible()
    # No write controls, and no cookie: the frame is sandboxed without same-origin rights.
    expect(frame.get_by_role("link", name="Add pro")).to_have_count(0)
    assert page.context.cookies(live_server.url) == []

    # The frame was resized to its content by the snippet's script (not left at 600px).
    page.wait_for_function("() => document.querySelector('iframe').style.height !== ''")
    before = iframe_height(page)

    sub = frame.locator(f"#claim-{deep_debate['sub'].pk} > .claim-body")  # the treeitem
    expect(sub).to_have_attribute("aria-expanded", "false")
    sub.locator("[data-toggle]").click()
    expect(sub).to_have_attribute("aria-expanded", "true")
    expect(frame.get_by_text(deep_debate["deep3"].text)).to_be_visible()

    page.wait_for_function(
        "before => document.querySelector('iframe').getBoundingClientRect().height > before + 50",
        arg=before,
    )
    # It fits: the frame is as tall as the map inside it, so nothing scrolls within.
    inner = page.frames[1]
    content = inner.evaluate(
        "document.querySelector('.embed-frame').getBoundingClientRect().height"
    )
    assert abs(iframe_height(page) - content) <= 2
    assert inner.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")

    # Folding again needs no request and the frame shrinks back.
    sub.locator("[data-toggle]").click()
    expect(sub).to_have_attribute("aria-expanded", "false")
    page.wait_for_function(
        "before => document.querySelector('iframe').getBoundingClientRect().height <= before + 2",
        arg=before,
    )
    assert not [e for e in errors if "CORS" in e or "Refused" in e], errors


def test_following_a_claim_stays_inside_the_frame(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    snippet = snippet_for(live_server, f"{live_server.url}{debate.get_absolute_url()}")
    page.goto(host.page("/course.html", snippet))
    frame = page.frame_locator("iframe")
    frame.get_by_role("link", name=deep_debate["pro"].text).click()
    expect(frame.get_by_role("link", name="Whole map")).to_be_visible()
    assert f"/embed/d/{debate.slug}/claims/{deep_debate['pro'].pk}/" in page.frames[1].url


def refused_frame_url(page, timeout_ms: int = 10_000) -> str:
    """The frame's address once Chromium has settled it: the page's "load" can come before
    the refused frame is swapped for Chromium's error page, while its URL is still empty."""
    frame = page.frames[1]
    waited = 0
    while not frame.url and waited < timeout_ms:
        page.wait_for_timeout(50)
        waited += 50
    return frame.url


def test_the_browser_refuses_to_frame_the_normal_debate_page(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    url = f"{live_server.url}{debate.get_absolute_url()}"
    page.goto(host.page("/framed.html", f'<iframe src="{url}" title="Not allowed"></iframe>'))
    page.wait_for_load_state("load")
    frame = page.locator("iframe").content_frame
    # Chromium replaces a refused frame by its own error page: our page never renders.
    expect(frame.get_by_text(deep_debate["thesis"].text)).to_have_count(0)
    assert refused_frame_url(page).startswith("chrome-error://")

    # The embed of the same debate is allowed on the same page.
    embed = f"{live_server.url}/embed/d/{debate.slug}/"
    page.goto(host.page("/allowed.html", f'<iframe src="{embed}" title="Allowed"></iframe>'))
    expect(page.frame_locator("iframe").get_by_text(deep_debate["thesis"].text)).to_be_visible()


def test_a_page_not_on_the_allow_list_cannot_frame_the_embed(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    Debate.objects.filter(pk=debate.pk).update(embed_origins="https://school.example")
    embed = f"{live_server.url}/embed/d/{debate.slug}/"
    page.goto(host.page("/other.html", f'<iframe src="{embed}" title="Not listed"></iframe>'))
    page.wait_for_load_state("load")
    assert refused_frame_url(page).startswith("chrome-error://")


def test_it_reports_its_height_in_wordpress_and_canvas_formats_too(
    page, live_server, host, deep_debate
):
    debate = deep_debate["debate"]
    embed = f"{live_server.url}/embed/d/{debate.slug}/#?secret=Xy12ab"
    listener = (
        "<script>window.received = [];"
        "addEventListener('message', e => window.received.push(e.data));</script>"
    )
    page.goto(host.page("/wp.html", listener + f'<iframe src="{embed}" title="WP"></iframe>'))
    page.wait_for_function(
        "() => window.received.some(m => m.message === 'height')"
        " && window.received.some(m => m.subject === 'lti.frameResize')"
    )
    received = page.evaluate("window.received")
    wordpress = next(m for m in received if m.get("message") == "height")
    assert wordpress["secret"] == "Xy12ab" and wordpress["value"] > 100
    canvas = next(m for m in received if m.get("subject") == "lti.frameResize")
    ours = next(m for m in received if m.get("type") == "debate-map:resize")
    assert canvas["height"] == ours["height"] == wordpress["value"]


def test_the_host_script_resizes_only_the_frame_that_asked(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    first = snippet_for(live_server, f"{live_server.url}{debate.get_absolute_url()}")
    second = first.replace('title="Argument map', 'id="second" title="Second map', 1)
    page.goto(host.page("/two.html", first + second))
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].every(f => f.style.height !== '')"
    )
    heights = "() => [...document.querySelectorAll('iframe')].map(f => f.style.height)"
    before = page.evaluate(heights)
    sub = page.frame_locator("iframe >> nth=0").locator(
        f"#claim-{deep_debate['sub'].pk} > .claim-body"
    )
    sub.locator("[data-toggle]").click()
    expect(sub).to_have_attribute("aria-expanded", "true")
    page.wait_for_function(f"() => ({heights})()[0] !== {json.dumps(before[0])}")
    after = page.evaluate(heights)
    assert after[1] == before[1]


def test_why_explains_a_strength_inside_the_frame(page, live_server, host, deep_debate):
    debate = deep_debate["debate"]
    # A strength to explain: a point no one rated says "not yet rated", with no "Why?".
    services.vote_cast(user=debate.owner, point=deep_debate["thesis"], value=3)
    snippet = snippet_for(live_server, f"{live_server.url}{debate.get_absolute_url()}")
    page.goto(host.page("/course.html", snippet))
    body = page.frame_locator("iframe").locator(f"#body-{deep_debate['thesis'].pk}")
    body.get_by_role("link", name="Why?").first.click()
    expect(body.locator(".why .explanation")).to_be_visible()
