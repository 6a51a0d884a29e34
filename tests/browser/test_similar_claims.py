"""Near-duplicate warning in a real Chromium (issue 19): typing a near-copy of a claim shows it,
and "Link this one instead" links it in place, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arguments.models import Relation
from tests.browser.test_tree import deep_claim, seeded, sign_up  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_a_near_copy_shows_it_and_link_this_one_instead_links_it(page, seeded):  # noqa: F811
    sign_up(page, "typist")
    thesis = seeded.claims.get(is_thesis=True)
    existing = deep_claim(seeded)  # written two levels down, not beneath the thesis
    page.goto(seeded.get_absolute_url())
    page.evaluate("window.__marker = 'no reload'")
    card = page.locator(f"#claim-{thesis.pk} > .claim-body")
    card.locator(".claim-menu > summary").click()
    card.locator(".column-adds").get_by_role("link", name="Add con").click()
    form = page.locator(f"#slot-{thesis.pk} form").first
    form.get_by_label("Claim").press_sequentially(existing.text[:-3] + "!", delay=5)

    similar = page.locator(f"#similar-{thesis.pk}")
    expect(similar).to_contain_text(existing.text[:40])
    similar.get_by_role("button", name="Link this one instead").first.click()

    expect(page.locator(f"#slot-{thesis.pk}")).to_be_empty()
    assert page.evaluate("window.__marker") == "no reload"
    assert Relation.objects.filter(
        parent=thesis, child=existing, is_link=True, stance="con"
    ).exists()
