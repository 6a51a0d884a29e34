"""Voting and annotating in a real Chromium, without a page reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Annotation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(page, live_server):
    UserFactory(username="voter", password="a sturdy passphrase 42")
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "voter")
    page.fill("input[name=password]", "a sturdy passphrase 42")
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name="voter")).to_be_visible()
    return page


@pytest.fixture
def claim(transactional_db):
    owner = UserFactory(username="owner")
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    thesis = debate.claims.get()
    return services.claim_add(
        actor=owner, parent=thesis, stance="pro", text="Open weights let anyone audit a model."
    )


def test_a_vote_updates_the_distribution_and_strength_in_place(signed_in, claim):
    page = signed_in
    page.goto(claim.get_absolute_url())
    page.evaluate("window.__marker = 'no reload'")
    point = claim.parent_relations.get()
    votes = page.locator(f"#votes-r{point.pk}")
    expect(votes).to_contain_text("not yet rated")  # no vote: no default 50 %
    votes.get_by_role("button", name=re.compile("^4 Decisive")).click()  # one click casts it
    expect(votes).to_contain_text("1 vote · mine: 4")
    expect(votes).to_contain_text("Strength 100%")
    mine = votes.get_by_role("button", name=re.compile("^4 Decisive, 1 vote"))
    expect(mine).to_have_attribute("aria-pressed", "true")
    votes.get_by_role("button", name="Withdraw").click()
    expect(votes).to_contain_text("0 votes")
    expect(votes.locator('[aria-pressed="true"]')).to_have_count(0)
    assert page.evaluate("window.__marker") == "no reload"


def test_selecting_words_and_annotating_them_keeps_a_highlight(signed_in, claim):
    page = signed_in
    page.goto(claim.get_absolute_url())
    # Select the word "audit" in the claim's text, as a reader would with the mouse.
    page.evaluate(
        """([selector, word]) => {
            const node = document.querySelector(selector).firstChild;
            const start = node.textContent.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [f"#text-{claim.pk}", "audit"],
    )
    card = page.locator(f"#body-{claim.pk}")
    card.locator(".claim-menu > summary").click()
    card.get_by_role("link", name="Annotate").click()
    form = page.locator(f"#slot-{claim.pk} form")
    expect(form.get_by_label("Quoted words (optional)")).to_have_value("audit")
    form.get_by_label("Note (Markdown)").fill("Who has the skills to audit?")
    form.get_by_role("button", name="Save note").click()
    expect(page.locator(f"#text-{claim.pk} mark")).to_have_text("audit")
    note = Annotation.objects.get()
    assert (note.exact, note.start) == ("audit", claim.text.index("audit"))
    page.reload()
    expect(page.locator(f"#text-{claim.pk} mark")).to_have_text("audit")
    expect(page.get_by_text(re.compile("1 note"))).to_be_visible()


def _word_box(page, selector: str, word: str) -> dict:
    """Where `word` is drawn in the element: its first and last letters' centres."""
    return page.evaluate(
        """([selector, word]) => {
            const node = document.querySelector(selector).firstChild;
            const start = node.textContent.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            const box = range.getBoundingClientRect();
            return {x0: box.left + 1, x1: box.right - 1, y: box.top + box.height / 2};
        }""",
        [selector, word],
    )


def test_dragging_the_mouse_across_words_offers_to_annotate_them(signed_in, claim):
    page = signed_in
    page.goto(claim.get_absolute_url())
    address = page.url
    box = _word_box(page, f"#text-{claim.pk}", "audit")
    # A real drag with the mouse, as a reader selects words.
    page.mouse.move(box["x0"], box["y"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y"], steps=8)
    page.mouse.up()
    assert page.evaluate("document.getSelection().toString()") == "audit"
    assert page.url == address  # the text is not a link: selecting it goes nowhere
    offer = page.get_by_role("button", name="Annotate")
    expect(offer).to_be_visible()
    offer.click()
    form = page.locator(f"#slot-{claim.pk} form")
    expect(form.get_by_label("Quoted words (optional)")).to_have_value("audit")
    form.get_by_label("Note (Markdown)").fill("Audit by whom?")
    form.get_by_role("button", name="Save note").click()
    expect(page.locator(f"#text-{claim.pk} mark")).to_have_text("audit")


def test_a_double_click_selects_a_word_and_open_opens_the_claim(signed_in, claim):
    page = signed_in
    page.goto(claim.parent_relations.get().parent.debate.get_absolute_url())
    address = page.url
    box = _word_box(page, f"#text-{claim.pk}", "anyone")
    page.mouse.dblclick((box["x0"] + box["x1"]) / 2, box["y"])
    assert page.evaluate("document.getSelection().toString().trim()") == "anyone"
    assert page.url == address
    page.locator(f"#body-{claim.pk} .claim-open").click()
    page.wait_for_url(f"**{claim.get_absolute_url()}")
