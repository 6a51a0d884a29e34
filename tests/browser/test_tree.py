"""A newcomer's first minute in a real Chromium: sign up, read, expand, add a con in place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arguments.models import Claim, Debate
from tests.conftest import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(transactional_db):
    seed_demo()  # the command once per test process (tests/conftest.py)
    return Debate.objects.get(slug="open-weight-ai")


def sign_up(page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", "a sturdy passphrase 42")
    page.fill("input[name=password2]", "a sturdy passphrase 42")
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name=username)).to_be_visible()


def folded_claim(debate: Debate) -> Claim:
    """A pro or con of the thesis that has pros or cons of its own (folded on the debate page)."""
    for claim in debate.claims.filter(is_thesis=False):
        relation = claim.parent_relations.get(is_link=False)
        if relation.parent.is_thesis and claim.child_relations.exists():
            return claim
    raise AssertionError("the seed has no folded branch at depth 1")


def deep_claim(debate: Debate) -> Claim:
    """A claim at depth 2 that has pros or cons of its own."""
    for claim in debate.claims.filter(is_thesis=False):
        relation = claim.parent_relations.get(is_link=False)
        if relation.parent.is_thesis:
            continue
        grand = relation.parent.parent_relations.filter(is_link=False).first()
        if grand and grand.parent.is_thesis and claim.child_relations.exists():
            return claim
    raise AssertionError("the seed has no branch at depth 2")


def open_menu(card) -> None:
    """Open a claim card's "⋯" menu, where its controls wait."""
    card.locator(".claim-menu > summary").click()


def test_a_newcomer_signs_up_expands_a_branch_and_adds_a_con_in_place(page, seeded):
    sign_up(page, "newcomer")
    page.goto(seeded.get_absolute_url())
    expect(page.get_by_role("tree")).to_be_visible()
    folded = folded_claim(seeded)
    item = page.locator(f"#claim-{folded.pk} > .claim-body")  # the card is the treeitem
    expect(item).to_have_attribute("aria-expanded", "false")
    page.evaluate("window.__marker = 'no reload'")

    item.locator("[data-toggle]").click()
    expect(item).to_have_attribute("aria-expanded", "true")
    first_child = folded.child_relations.order_by("position").first().child
    expect(page.locator(f"#claim-{first_child.pk}")).to_be_visible()

    open_menu(item)
    item.get_by_role("link", name="Add con").click()
    form = page.locator(f"#slot-{folded.pk} form")
    expect(form).to_be_visible()
    form.get_by_label("Claim").fill("Benchmarks alone say little about real-world harm.")
    form.get_by_role("button", name="Add con").click()

    new = page.get_by_role("treeitem", name=re.compile("Benchmarks alone say little"))
    expect(new).to_be_visible()
    expect(new).to_be_focused()
    assert page.evaluate("window.__marker") == "no reload"
    expect(page.locator(f"#slot-{folded.pk}")).to_be_empty()

    page.goto(folded.get_absolute_url())
    expect(
        page.get_by_role("tree").get_by_text("Benchmarks alone say little about real-world harm.")
    ).to_be_visible()
    assert Claim.objects.filter(text__startswith="Benchmarks alone").count() == 1


def test_arrow_keys_move_through_the_tree(page, seeded):
    page.goto(seeded.get_absolute_url())
    items = page.get_by_role("treeitem")
    thesis = items.first
    thesis.focus()
    expect(thesis).to_be_focused()
    page.keyboard.press("ArrowDown")
    second = page.locator('[role="treeitem"]:visible').nth(1)
    expect(second).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(thesis).to_be_focused()
    # Left folds the thesis; Down then skips everything beneath it.
    page.keyboard.press("ArrowLeft")
    expect(thesis).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")
    expect(thesis).to_be_focused()  # nothing visible below a folded single thesis
    page.keyboard.press("ArrowRight")
    expect(thesis).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowRight")
    expect(second).to_be_focused()


def test_adding_a_con_works_with_javascript_off(page_without_js, seeded, live_server):
    page = page_without_js
    sign_up(page, "plainreader")
    thesis = seeded.claims.get(is_thesis=True)
    page.goto(seeded.get_absolute_url())
    card = page.locator(f"#claim-{thesis.pk} > .claim-body")
    # "Add con" stands in sight above the thesis's columns: a plain link with scripts off.
    card.locator(".column-adds").get_by_role("link", name="Add con").click()
    expect(page).to_have_url(re.compile(r"/add/\?stance=con$"))
    page.get_by_label("Claim").fill("Openness is a policy choice, not a law of nature.")
    page.get_by_role("button", name="Add con").click()
    expect(page).to_have_url(re.compile(rf"/claims/{thesis.pk}/"))
    expect(
        page.get_by_role("tree").get_by_text("Openness is a policy choice, not a law of nature.")
    ).to_be_visible()


def test_an_empty_claim_gets_a_clear_message_in_place(page, seeded):
    sign_up(page, "hasty")
    thesis = seeded.claims.get(is_thesis=True)
    page.goto(seeded.get_absolute_url())
    card = page.locator(f"#claim-{thesis.pk} > .claim-body")
    card.locator(".column-adds").get_by_role("link", name="Add pro").click()
    form = page.locator(f"#slot-{thesis.pk} form")
    form.get_by_label("Claim").fill("   ")
    # The browser's own `required` check would stop an empty field; spaces reach the server.
    form.get_by_role("button", name="Add pro").click()
    expect(page.locator(f"#slot-{thesis.pk}")).to_contain_text("cannot be empty")


@pytest.mark.parametrize(("width", "zoom"), [(390, 1), (1280, 2)])
def test_the_debate_reads_on_a_phone_and_at_200_percent_zoom(
    browser, live_server, seeded, width, zoom
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800},
        device_scale_factor=1,
    )  # fmt: skip
    page = context.new_page()
    page.goto(seeded.get_absolute_url())
    if zoom != 1:
        # CSS zoom on the root is what the browser's zoom does to the layout viewport.
        page.evaluate(f"document.documentElement.style.zoom = '{zoom}'")
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    expect(page.get_by_role("treeitem").first).to_be_visible()
    context.close()
