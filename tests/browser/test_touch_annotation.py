"""Span annotation by touch (issue 29, item 3), in Chromium emulating a phone (touch events,
390x844): a tap on a claim's words goes nowhere (they are not a link); words selected offer
"Annotate" beside them, a finger-sized button; a tap on it (touch events, then the click the
browser makes of them) opens the form with the words quoted, and the note saved highlights
them. The selection itself is made by script: headless Chromium makes none from a long press.
The mouse's drag and double-click are in test_votes_and_notes.py."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from arguments import services
from tests.browser.test_votes_and_notes import _word_box
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_press_selects_a_word_and_a_tap_annotates_it(browser, live_server):
    owner = UserFactory(username="owner")
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    claim = services.claim_add(
        actor=owner,
        parent=debate.claims.get(),
        stance="pro",
        text="Open weights let anyone audit a model.",
    )
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(claim.get_absolute_url())
    address = page.url
    box = _word_box(page, f"#text-{claim.pk}", "audit")
    page.touchscreen.tap((box["x0"] + box["x1"]) / 2, box["y"])  # a finger on the words
    assert page.url == address  # the text is not a link: a tap on it goes nowhere
    # The phone's own selection (a long press, then its handles). Headless Chromium makes none
    # from touch: Input.synthesizeTapGesture held 1 s and a touchStart held 1.2 s selected
    # nothing. So the words are selected as the handles leave them, and all after is touch.
    page.evaluate(
        """([selector, word]) => {
            const node = document.querySelector(selector).firstChild;
            const start = node.textContent.indexOf(word);
            document.getSelection().setBaseAndExtent(node, start, node, start + word.length);
        }""",
        [f"#text-{claim.pk}", "audit"],
    )
    expect(page.get_by_role("button", name="Annotate")).to_be_visible()
    offer = page.get_by_role("button", name="Annotate").bounding_box()
    assert offer["height"] >= 44 and offer["width"] >= 44  # a finger's target
    page.get_by_role("button", name="Annotate").tap()
    form = page.locator(f"#slot-{claim.pk} form")
    expect(form.get_by_label("Quoted words (optional)")).to_have_value("audit")
    form.get_by_label("Note (Markdown)").fill("Audit by whom?")
    form.get_by_role("button", name="Save note").tap()
    expect(page.locator(f"#text-{claim.pk} mark")).to_have_text("audit")
    context.close()
