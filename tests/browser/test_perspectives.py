"""Perspectives in a real Chromium: "See as" switches the page to a perspective's votes and the
tree recolours; the same works with JavaScript off (a GET form and its button)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a sturdy passphrase 42"


@pytest.fixture
def thesis(transactional_db) -> Claim:
    """A thesis everyone (one student) calls false, and that student's economist calls true."""
    owner = UserFactory(username="teacher", password=PASSWORD)
    debate = services.debate_create(owner=owner, title="Open weights?", thesis="Release them.")
    thesis = debate.claims.get()
    student = UserFactory(username="ann")
    services.vote_cast(user=student, point=thesis, value=0)
    economist = services.perspective_create(actor=student, debate=debate, name="an economist")
    services.vote_cast(user=student, point=thesis, value=4, perspective=economist)
    return thesis


def _sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "teacher")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.get_by_role("link", name="teacher")).to_be_visible()


def test_see_as_recolours_the_tree(page, thesis):
    _sign_in(page)
    page.goto(thesis.debate.get_absolute_url())
    votes = page.locator(f"#votes-c{thesis.pk}")
    expect(votes).to_contain_text("Strength 0%")
    page.get_by_label("See as").select_option(label="an economist")
    expect(page.get_by_role("status")).to_contain_text("Strengths and votes as an economist")
    expect(votes).to_contain_text("Strength 100%")
    assert "perspective=named" in page.url
    page.get_by_role("link", name="Show everyone\u2019s").click()
    expect(page.locator(f"#votes-c{thesis.pk}")).to_contain_text("Strength 0%")


def test_see_as_works_without_javascript(page_without_js, thesis):
    page = page_without_js
    _sign_in(page)
    page.goto(thesis.debate.get_absolute_url())
    page.get_by_label("See as").select_option(label="an economist")
    page.get_by_role("button", name="See").click()
    expect(page.locator(f"#votes-c{thesis.pk}")).to_contain_text("Strength 100%")
