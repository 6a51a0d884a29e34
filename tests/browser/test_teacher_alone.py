"""A teacher runs a course alone, in a real Chromium (issue 28, "Done when"): a teacher who is
not site staff creates a debate (it starts unlisted), requires approval, hides votes until
one votes, adds the course page's site from the Embed dialog (which first says the page
cannot show it), makes the debate public, and the course page on another origin shows it.
Then a moderator who is not staff resolves a flag and merges two claims in the moderators'
admin (/moderate/), picking the surviving claim with the autocomplete."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from arguments import services
from arguments.models import Debate, Flag, Merge, Role, Stance
from tests.browser.test_embed import HostSite
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Should our course use open-weight models?"


def signed_in_page(browser, live_server, user, *, width: int = 1280):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_teacher_runs_a_course_and_a_moderator_keeps_order(browser, live_server):
    teacher = UserFactory(username="ms-lovelace", is_staff=False)
    moderator = UserFactory(username="mr-babbage", is_staff=False)
    host = HostSite()
    try:
        _teacher_sets_up_and_embeds(browser, live_server, teacher, host)
    finally:
        host.close()
    debate = Debate.objects.get(title=TITLE)
    _moderator_keeps_order(browser, live_server, debate, teacher, moderator)


def _teacher_sets_up_and_embeds(browser, live_server, teacher, host: HostSite) -> None:
    page = signed_in_page(browser, live_server, teacher)

    # A new debate: the form says it starts unlisted, and it does.
    page.goto(reverse("arguments:debate_new"))
    expect(page.get_by_text("A new debate starts unlisted")).to_be_visible()
    page.get_by_label("Question").fill(TITLE)
    page.get_by_label("Thesis").fill("Open-weight models suit a course better than closed ones.")
    page.get_by_role("button", name="Start the debate").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    debate = Debate.objects.get(title=TITLE)
    assert debate.visibility == Debate.Visibility.UNLISTED and not teacher.is_staff

    # Settings: approval and guided voting (htmx swaps the section in place).
    page.get_by_role("link", name="Settings", exact=True).first.click()
    participation = page.locator("#participation")
    participation.get_by_label("Writers' new claims wait for a moderator's approval").check()
    participation.get_by_label("Hide votes and strengths until one has voted").check()
    participation.get_by_role("button", name="Save").click()
    expect(page.locator("#participation").get_by_text("Saved.")).to_be_visible()
    debate.refresh_from_db()
    assert debate.requires_approval and debate.hide_votes_until_voted

    # The Embed dialog checks the course page first: a plain-http page cannot show it yet.
    course_url = host.page("/week-3.html", "<p>Loading…</p>")
    page.goto(reverse("arguments:embed_dialog", args=[debate.slug]))
    page.get_by_label("The page you will paste it into").fill(course_url)
    page.get_by_label("The page you will paste it into").press("Tab")  # a change: htmx asks
    expect(page.get_by_text("This page cannot show the debate yet.")).to_be_visible()
    expect(page.get_by_label("Let a site show it")).to_have_value(host.origin)
    page.get_by_role("button", name="Add this site").click()
    expect(page.get_by_text(f"{host.origin} may now show this debate.")).to_be_visible()
    debate.refresh_from_db()
    assert debate.embed_origins == host.origin

    # Public at last: the home page lists it.
    page.goto(reverse("arguments:debate_settings", args=[debate.slug]))
    page.locator("#participation").get_by_label("Public", exact=True).check()
    page.locator("#participation").get_by_role("button", name="Save").click()
    expect(page.locator("#participation").get_by_text("Saved.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    # The snippet from the dialog, pasted into the course page on another origin, renders.
    page.goto(reverse("arguments:embed_dialog", args=[debate.slug]))
    snippet = page.locator("#embed-snippet").input_value()
    course = browser.new_context().new_page()  # a student's browser, no session
    course.goto(host.page("/week-3.html", snippet))
    frame = course.frame_locator("iframe")
    expect(frame.get_by_role("tree")).to_be_visible()
    expect(frame.get_by_text("Open-weight models suit a course better")).to_be_visible()
    course.context.close()
    page.context.close()


def _moderator_keeps_order(browser, live_server, debate, teacher, moderator) -> None:
    MembershipFactory(debate=debate, user=moderator, role=Role.MODERATOR)
    student = UserFactory(username="ada-student")
    MembershipFactory(debate=debate, user=student, role=Role.EDITOR)  # writes without approval
    thesis = debate.claims.get(is_thesis=True)

    def add(text: str):
        return services.claim_add(actor=student, parent=thesis, stance=Stance.PRO, text=text)

    kept = add("Students can inspect how open-weight models work.")
    duplicate = add("Students can look inside open-weight models.")
    flag = services.flag_raise(actor=teacher, claim=kept, reason=Flag.Reason.UNCLEAR)
    page = signed_in_page(browser, live_server, moderator)

    # The flag: dismissed in the moderators' admin with a reason.
    page.goto("/moderate/")
    expect(page.get_by_role("heading", name="The debates you moderate")).to_be_visible()
    page.get_by_role("link", name="Flags").first.click()
    page.locator(f"input[name=_selected_action][value='{flag.pk}']").check()
    page.locator("select[name=action]").select_option("dismiss_flags")
    page.locator("input[name=reason]").fill("Clear enough: it names what students do.")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Dismissed 1 flag.")).to_be_visible()
    flag.refresh_from_db()
    assert flag.status == Flag.Status.DISMISSED and flag.handled_by == moderator

    # The merge: the surviving claim picked by its words, the why carried from the bar.
    page.goto("/moderate/arguments/claim/")
    page.locator(f"input[name=_selected_action][value='{duplicate.pk}']").check()
    page.locator("select[name=action]").select_option("merge_claims")
    page.locator("input[name=reason]").fill("Says the same thing.")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("input[name=reason]")).to_have_value("Says the same thing.")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("inspect")
    page.locator(".select2-results__option", has_text="Students can inspect").click()
    page.get_by_role("button", name="Merge duplicates").click()
    expect(page.get_by_text("Merged 1 claim into")).to_be_visible()
    merge = Merge.objects.get(duplicate=duplicate)
    assert (merge.into_id, merge.reason, merge.merged_by) == (
        kept.pk, "Says the same thing.", moderator,
    )  # fmt: skip
    page.context.close()
