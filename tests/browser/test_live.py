"""Live updates in two real Chromium contexts: A reads and writes, B adds a con and votes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a sturdy passphrase 42"


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name=username)).to_be_visible()


@pytest.fixture
def debate(transactional_db):
    owner = UserFactory(username="owner")
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    for name in ("alice", "bob"):
        MembershipFactory(
            debate=debate, user=UserFactory(username=name, password=PASSWORD), role=Role.WRITER
        )
    thesis = debate.claims.get()
    services.claim_add(actor=owner, parent=thesis, stance="pro", text="Anyone can audit them.")
    return debate


def test_a_readers_page_shows_others_news_without_losing_focus_or_a_draft(
    browser, live_server, debate
) -> None:
    contexts = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    try:
        a, b = (context.new_page() for context in contexts)
        sign_in(a, "alice")
        sign_in(b, "bob")
        a.goto(debate.get_absolute_url())
        a.evaluate("window.__marker = 'no reload'")
        thesis = debate.claims.get(is_thesis=True)
        # A votes first: their own vote is no news to them.
        point = debate.claims.get(text="Anyone can audit them.").parent_relations.get()
        mine = a.locator(f"#votes-r{point.pk}")
        mine.locator("button[name=value][value='2']").click()  # one click casts it
        expect(mine).to_contain_text("1 vote")
        # A opens "Add pro" on the thesis and starts writing: the focus is in the draft.
        a.locator(f"#body-{thesis.pk} .claim-menu > summary").click()  # the card's ⋯ menu
        a.locator(f"#body-{thesis.pk} .column-adds").get_by_role("link", name="Add pro").click()
        draft = a.locator(f"#slot-{thesis.pk} textarea[name=text]")
        draft.fill("Half a thought about")
        expect(draft).to_be_focused()

        # B adds a con to the thesis and votes on the thesis, in their own browser.
        b.goto(debate.get_absolute_url())
        b.locator(f"#body-{thesis.pk} .claim-menu > summary").click()
        b.locator(f"#body-{thesis.pk} .column-adds").get_by_role("link", name="Add con").click()
        b.locator(f"#slot-{thesis.pk} textarea[name=text]").fill("Weights cannot be recalled.")
        b.locator(f"#slot-{thesis.pk}").get_by_role("button", name="Add con").click()
        expect(b.get_by_role("tree").get_by_text("Weights cannot be recalled.")).to_be_visible()
        votes = b.locator(f"#votes-c{thesis.pk}")
        votes.locator("button[name=value][value='3']").click()
        expect(votes).to_contain_text("1 vote")

        # Within one poll (5 s) A hears of it, calmly.
        notice = a.locator(".live-notice")
        expect(notice).to_contain_text("1 new claim, 1 new vote", timeout=7_000)
        expect(a.get_by_role("tree").get_by_text("Weights cannot be recalled.")).to_have_count(0)
        notice.get_by_role("button", name="Show").click()
        expect(a.get_by_role("tree").get_by_text("Weights cannot be recalled.")).to_be_visible()
        expect(a.locator(f"#votes-c{thesis.pk}")).to_contain_text("1 vote")
        # A's draft, its focus and the page itself are as they were.
        expect(draft).to_have_value("Half a thought about")
        expect(draft).to_be_focused()
        assert a.evaluate("window.__marker") == "no reload"
    finally:
        for context in contexts:
            context.close()
