"""The debate page as a reader meets it: the first screen tells the story, and everything can
be done from the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments.models import Claim, Vote
from tests.browser.test_accessibility import seeded, sign_in  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The first-screen criterion: at 1280x800 the question, the thesis and the full text of at
# least six of its pros and cons.
FIRST_SCREEN = {"width": 1280, "height": 800}
TOP_LEVEL_TEXTS = "#children-{thesis} > .column > li.claim > .claim-body > .claim-text"


@pytest.mark.parametrize("persona", ["visitor", "writer"])
def test_the_first_screen_shows_the_question_the_thesis_and_six_claims(
    browser,
    live_server,
    seeded,  # noqa: F811
    persona: str,
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=FIRST_SCREEN)
    if persona == "writer":
        sign_in(context, live_server, UserFactory(username="reader"))
    page = context.new_page()
    page.goto(seeded.get_absolute_url())
    thesis = seeded.claims.get(is_thesis=True)

    def inside(box: dict | None) -> bool:
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800

    assert inside(page.locator("h1").bounding_box()), "the question is below the fold"
    assert inside(page.locator(f"#text-{thesis.pk}").bounding_box()), "the thesis is not"
    texts = page.locator(TOP_LEVEL_TEXTS.format(thesis=thesis.pk))
    boxes = [texts.nth(i).bounding_box() for i in range(texts.count())]
    shown = sum(1 for box in boxes if inside(box))
    assert shown >= 6, f"only {shown} of {len(boxes)} pros and cons fit the first screen"
    context.close()


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_read_expand_vote_and_add_a_con_without_a_mouse(browser, live_server, seeded) -> None:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport=FIRST_SCREEN)
    sign_in(context, live_server, UserFactory(username="keys"))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(seeded.get_absolute_url())
    thesis = seeded.claims.get(is_thesis=True)
    first = (
        thesis.child_relations.filter(is_link=False, child__child_relations__isnull=False)
        .order_by("stance", "position")
        .first()
    )
    card = page.locator(f"#claim-{first.child_id} > .claim-body")

    # Read: Tab into the tree (one stop, the thesis), then arrow down through its claims.
    tab_to(page, '[role="treeitem"]')
    expect(page.locator(f"#claim-{thesis.pk} > .claim-body")).to_be_focused()
    for _ in range(20):
        page.keyboard.press("ArrowDown")
        if page.evaluate("id => document.activeElement.id === id", f"body-{first.child_id}"):
            break
    expect(card).to_be_focused()

    # Expand: → unfolds the branch in place; → again moves into it.
    expect(card).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowRight")
    expect(card).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#children-{first.child_id}")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(card).to_have_attribute("aria-expanded", "false")

    # Vote: Tab from the card to its "3" step and press Enter (one key casts it).
    card.focus()
    tab_to(page, f"#body-{first.child_id} .vote-steps button[value='3']")
    page.keyboard.press("Enter")
    votes = page.locator(f"#votes-r{first.pk}")
    expect(votes).to_contain_text("mine: 3")
    assert Vote.objects.get(relation=first, user__username="keys").value == 3

    # Add a con: open the card's ⋯ menu, follow Add con, write, submit, all by keyboard.
    card.focus()
    tab_to(page, f"#body-{first.child_id} .claim-menu > summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#body-{first.child_id} a.action-con")
    page.keyboard.press("Enter")
    field = page.locator(f"#slot-{first.child_id} textarea[name=text]")
    expect(field).to_be_focused()
    page.keyboard.type("Typed without a mouse, this con stands.")
    tab_to(page, f"#slot-{first.child_id} button[type=submit]")
    page.keyboard.press("Enter")
    new = page.get_by_role("treeitem", name="Typed without a mouse")
    expect(new).to_be_focused()
    assert Claim.objects.filter(text="Typed without a mouse, this con stands.").exists()
    context.close()


def test_a_claim_opened_from_the_tree_is_the_centre_and_back_returns(
    browser,
    live_server,
    seeded,  # noqa: F811
) -> None:
    """Kialo's focus: the claim in the centre, the path to the thesis above it, its pros and
    cons in two columns beneath; the address is pushed, so Back returns to the debate."""
    context = browser.new_context(base_url=live_server.url, viewport=FIRST_SCREEN)
    page = context.new_page()
    page.goto(seeded.get_absolute_url())
    page.evaluate("window.__marker = 'no reload'")
    thesis = seeded.claims.get(is_thesis=True)
    first = (
        thesis.child_relations.filter(is_link=False, child__child_relations__isnull=False)
        .order_by("position")
        .first()
        .child
    )
    page.locator(f"#body-{first.pk} .claim-open").click()
    expect(page).to_have_url(f"{live_server.url}{first.get_absolute_url()}")
    assert page.evaluate("window.__marker") == "no reload"  # htmx swapped the page in place
    expect(page.locator(".breadcrumbs")).to_contain_text(thesis.text[:30])
    expect(page.locator(f"#claim-{first.pk} > .claim-body")).to_have_attribute(
        "aria-expanded", "true"
    )
    columns = page.locator(f"#children-{first.pk} > .column")
    expect(columns).to_have_count(2)
    boxes = [columns.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] < boxes[1]["x"] and abs(boxes[0]["y"] - boxes[1]["y"]) < 2
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}{seeded.get_absolute_url()}")
    expect(page.locator(f"#text-{first.pk}")).to_be_visible()
    page.go_forward()
    expect(page).to_have_url(f"{live_server.url}{first.get_absolute_url()}")
    # The address moves before the page does (htmx reloads a history entry it keeps no copy
    # of): wait for the focus page itself. Closing the context mid-reload hung Chromium once
    # in CI, for the whole 300 s timeout.
    expect(page.locator(".breadcrumbs")).to_contain_text(thesis.text[:30])
    page.wait_for_load_state("load")
    context.close()
