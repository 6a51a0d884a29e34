"""Guided voting in Chromium (issue 37): every unrated claim of a small debate rated one
click at a time, with JavaScript (the walk's region swapped, no reload) and without (a form
post and a redirect per claim)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Vote
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_debate(transactional_db):
    owner = UserFactory(username="teacher")
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    thesis = debate.claims.get()
    pro = services.claim_add(actor=owner, parent=thesis, stance="pro", text="Anyone can audit.")
    services.claim_add(actor=owner, parent=thesis, stance="con", text="Misuse cannot be undone.")
    services.claim_add(actor=owner, parent=pro, stance="pro", text="Audits found real bugs.")
    return debate


def _sign_in(page) -> object:
    voter = UserFactory(username="student", password="a sturdy passphrase 42")
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "student")
    page.fill("input[name=password]", "a sturdy passphrase 42")
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name="student")).to_be_visible()
    return voter


@pytest.mark.parametrize("fixture", ["page", "page_without_js"])
def test_guided_voting_rates_every_unrated_claim(request, small_debate, fixture: str) -> None:
    page = request.getfixturevalue(fixture)
    voter = _sign_in(page)
    page.goto(f"/d/{small_debate.slug}/")
    page.get_by_role("link", name="Guided voting").click()
    heading = page.locator("#walk-heading")
    expect(heading).to_contain_text("4 claims left to rate")
    if fixture == "page":
        page.evaluate("window.__marker = 'no reload'")
    expect(page.locator(".guided-claim")).to_contain_text("Release them.")
    for left in (3, 2, 1):
        page.locator(".guided-votes button").nth(3).click()
        expect(heading).to_contain_text(f"{left} claim{'s' if left > 1 else ''} left to rate")
        expect(page.locator(".guided-parent")).to_be_visible()  # the claim it answers, in view
    page.locator(".guided-votes button").nth(1).click()
    expect(heading).to_have_text("Done")
    expect(page.locator(".guided-summary")).to_contain_text("You have rated 4 of the 4 claims")
    assert Vote.objects.filter(user=voter).count() == 4
    if fixture == "page":
        assert page.evaluate("window.__marker") == "no reload"
