"""The Content-Security-Policy in a real Chromium: every page a reader, a writer and a
moderator open, and the controls they use, run without a single CSP violation (an inline
script or handler the policy blocks would break the page silently)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]

PASSWORD = "a sturdy passphrase 42"

# Collects what the browser reports: each violation, with the directive and where.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def world(transactional_db):
    owner = UserFactory(username="owner", password=PASSWORD, is_staff=True, is_superuser=True)
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    thesis = debate.claims.get()
    pro = services.claim_add(
        actor=owner, parent=thesis, stance="pro", text="Open weights let anyone audit a model."
    )
    services.claim_add(actor=owner, parent=pro, stance="con", text="Few people audit anything.")
    services.annotation_add(actor=owner, claim=pro, body="Which audits?")
    MembershipFactory(
        debate=debate, user=UserFactory(username="wren", password=PASSWORD), role=Role.WRITER
    )
    return debate, pro


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name=username)).to_be_visible()


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_no_page_or_control_violates_the_policy(page, world):
    debate, pro = world
    page.add_init_script(WATCH)
    seen: dict[str, list[str]] = {}

    def visit(address: str) -> None:
        page.goto(address)
        page.wait_for_load_state("networkidle")
        seen[address] = violations(page)

    for address in (
        "/",
        debate.get_absolute_url(),
        pro.get_absolute_url(),
        f"/embed/d/{debate.slug}/",
    ):
        visit(address)
    sign_in(page, "wren")
    visit(debate.get_absolute_url())
    # The controls: expand a branch, open the notes, vote (htmx swaps, tree.js).
    page.goto(pro.get_absolute_url())
    page.locator(".vote-form").first.locator("button[name=value][value='3']").click()
    expect(page.locator(".vote-count").first).to_contain_text("mine: 3")
    seen["vote"] = violations(page)
    visit(f"/d/{debate.slug}/claims/{pro.pk}/add/?stance=con")
    visit("/import/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    seen["logout"] = violations(page)
    sign_in(page, "owner")
    for address in (
        f"/d/{debate.slug}/settings/",
        f"/d/{debate.slug}/claims/{pro.pk}/moderation/",
        "/admin/",
        f"/admin/arguments/claim/{pro.pk}/change/",
        "/admin/arguments/debate/",
    ):
        visit(address)
    visit(f"/d/{debate.slug}/embed/")  # the Embed dialog, with its live preview frame
    page.get_by_role("button", name="Copy snippet").click()
    seen["copy snippet"] = violations(page)
    broken = {where: found for where, found in seen.items() if found}
    assert not broken, broken
    assert len(seen) >= 14
