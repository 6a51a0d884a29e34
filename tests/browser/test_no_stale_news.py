"""No stale or false news (issue 29, item 4), in a real Chromium: Back after a vote shows the
vote as it is now; the live notice never announces the reader's own votes and writes, nor a
suggestion a visitor cannot see; "Show" unfolds a folded branch to reveal a new claim; the
"Needs you" panel follows the tree."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from arguments import services
from arguments.live import polls
from arguments.models import Role, Stance
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    owner = UserFactory(username="olivia")
    debate = services.debate_create(
        owner=owner, title="Open weights?", thesis="Release them.", default_role=Role.SUGGESTER
    )
    writer = UserFactory(username="wren")
    MembershipFactory(debate=debate, user=writer, role=Role.WRITER)
    suggester = UserFactory(username="sue")
    MembershipFactory(debate=debate, user=suggester, role=Role.SUGGESTER)
    thesis = debate.claims.get()
    pro = services.claim_add(actor=owner, parent=thesis, stance=Stance.PRO, text="Anyone audits.")
    services.claim_add(actor=owner, parent=pro, stance=Stance.CON, text="Few have the skills.")
    return {"debate": debate, "owner": owner, "writer": writer, "suggester": suggester,
            "thesis": thesis, "pro": pro}  # fmt: skip


def member_page(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


# live.js polls every POLL_SECONDS (5 s); here every second, so waiting for polls takes a
# second or two instead of the 7 to 11 s this file once slept. What the tests prove does not
# depend on the beat: the page is read after polls have been answered either way.
FAST_POLL_SECONDS = 1


@pytest.fixture(autouse=True)
def _fast_polls(monkeypatch):
    monkeypatch.setattr(polls, "POLL_SECONDS", FAST_POLL_SECONDS)


def wait_for_polls(page, count: int = 2) -> None:
    """Let live.js poll `count` times and apply the answers: each poll after the first is
    scheduled once the one before it was handled (live.js's `finally`)."""
    for _ in range(count + 1):
        with page.expect_response(lambda r: "/live/" in r.url, timeout=10_000):
            pass


@pytest.fixture(params=["http cache", "back-forward cache"])
def any_browser(request, browser):
    """Back restores a page from the HTTP cache (Playwright's default: its Chromium has the
    back-forward cache off) or from the back-forward cache (Chromium as people run it)."""
    if request.param == "http cache":
        yield browser
        return
    own = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield own
    own.close()


def test_back_after_a_vote_shows_the_vote_as_it_is_now(any_browser, live_server, world):
    point = world["pro"].parent_relations.get()
    services.vote_cast(user=world["writer"], point=point, value=2)  # before the page loads
    page = member_page(any_browser, live_server, world["writer"])
    # The first page a browser opens sets the CSRF cookie; the debate page varies on Cookie,
    # so had it been the first, Back would miss the HTTP cache for that new cookie alone and
    # hide the bug (as the last version of this test did).
    page.goto("/explore/")
    page.goto(world["debate"].get_absolute_url())
    votes = page.locator(f"#votes-r{point.pk}")
    expect(votes).to_contain_text("mine: 2")
    votes.locator("button[name=value][value='3']").click()
    expect(votes).to_contain_text("mine: 3")

    def back_from_explore(meanwhile=lambda: None) -> None:
        page.get_by_role("link", name="Explore").click()
        page.wait_for_url("**/explore/**")
        meanwhile()
        page.go_back(wait_until="commit")  # a page restored from either cache fires no "load"
        page.wait_for_url(f"**{world['debate'].get_absolute_url()}", wait_until="commit")

    back_from_explore()
    # The HTTP cache kept the page as first served: "mine: 2" without no-store.
    expect(page.locator(f"#votes-r{point.pk}")).to_contain_text("mine: 3")

    # While on Explore they vote 4 from their phone: Back shows that too.
    back_from_explore(lambda: services.vote_cast(user=world["writer"], point=point, value=4))
    # The back-forward cache keeps the page as last seen ("mine: 3") unless it is reloaded.
    expect(page.locator(f"#votes-r{point.pk}")).to_contain_text("mine: 4")
    wait_for_polls(page)
    # Their own votes are no news to them, after Back too.
    expect(page.locator(".live-notice")).to_be_hidden()


def test_own_votes_and_writes_are_never_announced(browser, live_server, world):
    page = member_page(browser, live_server, world["owner"])
    thesis, pro = world["thesis"], world["pro"]
    page.goto(world["debate"].get_absolute_url())
    votes = page.locator(f"#votes-r{pro.parent_relations.get().pk}")
    votes.locator("button[name=value][value='4']").click()
    expect(votes).to_contain_text("mine: 4")
    body = page.locator(f"#body-{pro.pk}")  # the owner edits a claim in place
    body.locator(".claim-menu > summary").click()
    body.locator(".claim-writes a", has_text=re.compile("^Edit$")).click()
    page.locator(f"#slot-{pro.pk} textarea[name=text]").fill("Anyone can audit them.")
    page.locator(f"#slot-{pro.pk} button[type=submit]").click()
    expect(page.locator(f"#text-{pro.pk}")).to_contain_text("Anyone can audit them.")
    wait_for_polls(page)
    expect(page.locator(".live-notice")).to_be_hidden()
    # Someone else's vote is news.
    services.vote_cast(user=world["writer"], point=thesis, value=1)
    expect(page.locator(".live-notice")).to_contain_text("1 new vote", timeout=12_000)


def test_a_suggestion_a_visitor_cannot_see_is_no_news_to_them(browser, live_server, world):
    page = member_page(browser, live_server, None)
    page.goto(world["debate"].get_absolute_url())
    services.claim_add(
        actor=world["suggester"], parent=world["thesis"], stance=Stance.CON, text="Pending."
    )
    wait_for_polls(page, 3)
    expect(page.locator(".live-notice")).to_be_hidden()


def test_show_unfolds_a_folded_branch_to_reveal_the_new_claim(browser, live_server, world):
    page = member_page(browser, live_server, world["writer"])
    pro = world["pro"]
    page.goto(world["debate"].get_absolute_url())
    expect(page.locator(f"#children-{pro.pk}")).to_be_hidden()  # folded
    deep = services.claim_add(
        actor=world["owner"], parent=pro, stance=Stance.PRO, text="Audits need weights."
    )
    notice = page.locator(".live-notice")
    expect(notice).to_contain_text("1 new claim", timeout=12_000)
    notice.get_by_role("button", name="Show").click()
    claim = page.locator(f"#claim-{deep.pk}")
    expect(claim).to_be_visible()
    expect(claim).to_have_class(re.compile("live-new"))


def test_the_needs_you_panel_follows_the_tree(browser, live_server, world):
    page = member_page(browser, live_server, world["owner"])
    debate = services.debate_create(owner=world["owner"], title="Phones?", thesis="Ban them.")
    thesis = debate.claims.get()
    page.goto(debate.get_absolute_url())
    panel = page.locator(".gaps-panel")
    expect(panel).to_contain_text("no pro or con yet")
    page.locator(f"#body-{thesis.pk} .column-adds .action-pro").click()
    page.locator(f"#slot-{thesis.pk} textarea[name=text]").fill("Fewer distractions in class.")
    page.locator(f"#slot-{thesis.pk} button[type=submit]").click()
    expect(page.locator(".claim-text", has_text="Fewer distractions")).to_be_visible()
    # The panel was loaded again: the thesis is answered now, its new pro is not yet.
    unanswered = panel.locator(".gap", has_text="no pro or con yet")
    expect(panel).to_contain_text("Fewer distractions in class.")
    expect(unanswered.get_by_role("link", name="Ban them.")).to_have_count(0)
