"""A flag's whole life in a real Chromium: a participant flags a claim as a straw man, a
moderator upholds it in the admin with a note, and the author reads the note and asks for a
review."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from arguments import services
from arguments.models import Flag, Role, Stance
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user) -> None:
    """Sign the browser in as `user` by handing it a session made by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.fixture
def heated(transactional_db):
    owner = UserFactory(username="olivia")
    author = UserFactory(username="wren")
    reporter = UserFactory(username="vic")
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    debate = services.debate_create(
        owner=owner,
        title="Should model weights be released openly?",
        thesis="Developers should release model weights openly.",
    )
    MembershipFactory(debate=debate, user=author, role=Role.WRITER)
    MembershipFactory(debate=debate, user=reporter, role=Role.VIEWER)
    thesis = debate.claims.get()
    claim = services.claim_add(
        actor=author,
        parent=thesis,
        stance=Stance.CON,
        text="Supporters want every model released with no safeguards at all.",
    )
    return {
        "debate": debate,
        "claim": claim,
        "author": author,
        "reporter": reporter,
        "staff": staff,
    }


def test_a_straw_man_is_flagged_upheld_explained_and_appealed(page, live_server, heated):
    debate, claim = heated["debate"], heated["claim"]

    # A participant flags the claim as a straw man, in place.
    log_in(page, live_server, heated["reporter"])
    page.goto(debate.get_absolute_url())
    moderation = page.locator(f"#moderation-{claim.pk}")
    page.locator(f"#body-{claim.pk} .claim-menu > summary").click()  # the card's ⋯ menu
    moderation.get_by_role("link", name="Flag").click()
    form = page.locator(f"#flag-slot-{claim.pk} form")
    expect(form).to_be_visible()
    form.get_by_label("Fallacy", exact=True).check()
    expect(form.get_by_text("Misrepresents the other side")).to_be_visible()
    form.get_by_label("Straw man").check()
    form.get_by_role("button", name="Flag").click()
    expect(moderation.get_by_text("You flagged this")).to_be_visible()
    flag = Flag.objects.get()
    assert (flag.reason, flag.fallacy) == ("fallacy", "straw_man")

    # A moderator upholds it in the admin, with a note for the author.
    log_in(page, live_server, heated["staff"])
    page.goto("/admin/arguments/flag/?status__exact=open")
    page.locator(f"input[name=_selected_action][value='{flag.pk}']").check()
    page.locator("select[name=action]").select_option("uphold_flags")
    page.locator("input[name=reason]").fill("This misstates the other side; restate their view.")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Upheld 1 flag.")).to_be_visible()

    # The author sees why, with the note, and asks once for a review.
    log_in(page, live_server, heated["author"])
    page.goto(debate.get_absolute_url())
    moderation = page.locator(f"#moderation-{claim.pk}")
    expect(moderation.get_by_text("A moderator upheld a flag on your claim")).to_be_visible()
    expect(moderation.get_by_text("restate their view")).to_be_visible()
    expect(moderation.get_by_text("Straw man")).to_be_visible()
    moderation.get_by_role("button", name="Ask for review").click()
    expect(
        page.locator(f"#moderation-{claim.pk}").get_by_text("You asked for a review")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Ask for review")).to_have_count(0)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and flag.review_requested_at is not None


def test_a_debate_moderator_hides_and_restores_a_claim_in_place(page, live_server, heated):
    """A debate's moderator who is not site staff keeps order without the admin."""
    debate, claim = heated["debate"], heated["claim"]
    moderator = UserFactory(username="mona")
    MembershipFactory(debate=debate, user=moderator, role=Role.MODERATOR)
    log_in(page, live_server, moderator)
    page.goto(debate.get_absolute_url())
    page.on("dialog", lambda dialog: dialog.accept())  # "Hide this claim and everything…?"
    body = page.locator(f"#body-{claim.pk}")
    body.locator(".claim-menu > summary").click()
    body.get_by_role("button", name="Hide").click()
    expect(body.locator(".badge", has_text="Hidden")).to_be_visible()
    expect(body.get_by_role("button", name="Restore")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "hidden"

    # Readers no longer see it; the moderator restores it in place.
    visitor = page.context.browser.new_page()
    visitor.goto(live_server.url + debate.get_absolute_url())
    expect(visitor.get_by_text(claim.text)).to_have_count(0)
    visitor.close()
    page.locator(f"#body-{claim.pk}").get_by_role("button", name="Restore").click()
    restored = page.locator(f"#body-{claim.pk}")
    expect(restored.locator(".badge", has_text="Hidden")).to_have_count(0)
    hide = restored.get_by_role("button", name="Hide", include_hidden=True)
    expect(hide).to_be_attached()  # in its ⋯ menu, closed again
    claim.refresh_from_db()
    assert claim.status == "published"
