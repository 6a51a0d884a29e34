"""Every form works wherever it is rendered (issue 29, item 1).

For each persona, the crawl collects every write control the lens offers on a claim (its "⋯"
menu and its Flag link), opens each on its own page (as from a new tab, a notification or the
"Needs you" panel) and submits it, with JavaScript on and off: a POST must leave and its
result must be visible. With JavaScript on, it also uses each control in place on the claim's
page, the thesis's "Add con" on the debate page and a claim's inside an expanded branch.

Before the fix, a form on its own page kept `hx-target="#slot-<id>"`: htmx found no slot,
raised `htmx:targetError` and sent nothing.
"""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from arguments import services
from arguments.lti import SESSION_ORIGINS
from arguments.models import Role, Stance
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAS = ["visitor", "suggester", "writer", "moderator", "owner"]
# Words no other claim of the debate shares, so "similar claims" never interrupts a submit.
WORDS = itertools.count(1)


def fresh(label: str) -> str:
    # Random letters share no trigrams to speak of with any other claim.
    return f"{label} {uuid.uuid4().hex} {next(WORDS)}"


@pytest.fixture
def world(transactional_db):
    owner = UserFactory(username="olivia")
    debate = services.debate_create(
        owner=owner,
        title="Should model weights be released openly?",
        thesis="Developers should release model weights openly.",
        default_role=Role.SUGGESTER,
    )
    users = {"owner": owner}
    for name in ["suggester", "writer", "moderator"]:
        users[name] = UserFactory(username=name)
        MembershipFactory(debate=debate, user=users[name], role=Role(name))
    thesis = debate.claims.get(is_thesis=True)
    # The claim under test is the writer's own, so "Edit" is offered to its author too.
    pro = services.claim_add(
        actor=users["writer"], parent=thesis, stance=Stance.PRO, text="Open weights spread access."
    )
    services.claim_add(
        actor=owner, parent=thesis, stance=Stance.CON, text="Released weights cannot be recalled."
    )
    nested = services.claim_add(
        actor=owner, parent=pro, stance=Stance.CON, text="Access without skills helps nobody."
    )
    return {"debate": debate, "users": users, "thesis": thesis, "pro": pro, "nested": nested}


def sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def open_page(browser, live_server, world, persona: str, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
    )
    if persona != "visitor":
        sign_in(context, live_server, world["users"][persona])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "targetError" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    return page


def offered(page, claim_id: int) -> list[tuple[str, str]]:
    """The write controls the claim's card offers: (name, address)."""
    body = page.locator(f"#body-{claim_id}")
    links = body.locator(".claim-writes a[href], a.action-flag[href]")
    return [
        (" ".join(link.text_content().split()), link.get_attribute("href")) for link in links.all()
    ]


def menu_link(body, name: str):
    """A link of the card's menu by its words (CSS adds a plus or minus sign to its name)."""
    return body.locator(".claim-writes a", has_text=re.compile(f"^{name}$"))


def fill(page, scope, name: str) -> str:
    """Fill the form of control `name` in `scope`; return the words its result will show."""
    if name in {"Add pro", "Add con", "Edit"}:
        words = fresh(name)
        scope.locator("textarea[name=text], input[name=text]").first.fill(words)
        return words
    if name == "Add source":
        words = fresh("A source titled")
        scope.locator("input[name=url]").fill(f"https://example.org/{next(WORDS)}")
        scope.locator("input[name=title]").fill(words)
        return words
    if name == "Annotate":
        words = fresh("A note")
        scope.locator("textarea[name=body]").fill(words)
        return words
    if name == "Link a claim":
        scope.locator("input[name=claim]").first.check()
        return "Linked claim"
    if name == "Flag":
        scope.locator("input[name=reason][value=unclear]").check()
        return "You flagged this"
    raise AssertionError(f"a control the crawl does not know: {name}")


def submit(page, scope, name: str, words: str) -> None:
    """Press the form's submit button: a POST must leave and its result be visible."""
    with page.expect_request(lambda r: r.method == "POST", timeout=5_000):
        scope.locator("button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    again = page.get_by_role("button", name="Post it anyway")
    if name.startswith("Add") and again.count():  # the near-duplicate question, answered
        with page.expect_request(lambda r: r.method == "POST", timeout=5_000):
            again.click()
    expect(page.locator("main")).to_contain_text(words)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_offered_form_works_on_its_own_page(browser, live_server, world, persona, javascript):
    page = open_page(browser, live_server, world, persona, javascript=javascript)
    pro = world["pro"]
    page.goto(pro.get_absolute_url())
    controls = offered(page, pro.pk)
    names = {name for name, _ in controls}
    if persona == "visitor":
        assert controls == []
        # The address of a form, opened anyway, asks the visitor to log in (never a 500).
        page.goto(f"/d/{world['debate'].slug}/claims/{pro.pk}/add/?stance=con")
        expect(page.locator("input[name=login]")).to_be_visible()
        # The embed reads as a visitor: nothing in it posts.
        page.goto(f"/embed/d/{world['debate'].slug}/")
        expect(page.locator(f"#body-{pro.pk}")).to_be_visible()
        assert page.locator("form[method=post]").count() == 0
        return
    assert {"Add pro", "Add con", "Annotate"} <= names, names
    if persona in {"writer", "moderator", "owner"}:
        assert {"Edit", "Add source", "Link a claim"} <= names, names
    for name, address in controls:
        page.goto(address)
        form = page.locator("main form[method=post]").last
        words = fill(page, form, name)
        submit(page, form, name, words)
    assert page.js_errors == []


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_every_offered_form_works_in_place(browser, live_server, world, persona):
    page = open_page(browser, live_server, world, persona, javascript=True)
    pro = world["pro"]
    page.goto(pro.get_absolute_url())
    page.evaluate("window.__stayed = true")
    for name, _ in offered(page, pro.pk):
        body = page.locator(f"#body-{pro.pk}")
        body.locator(".claim-menu > summary").click()
        if name == "Flag":
            body.locator("a.action-flag").click()
            scope = page.locator(f"#flag-slot-{pro.pk} form")
        else:
            menu_link(body, name).click()
            scope = page.locator(f"#slot-{pro.pk} form[method=post]").last
        scope.wait_for()
        words = fill(page, scope, name)
        submit(page, scope, name, words)
        assert page.evaluate("window.__stayed") is True, f"{name} left the page"
    assert page.js_errors == []


@pytest.mark.parametrize("persona", ["suggester", "owner"])
def test_add_con_works_from_the_column_head_and_inside_an_expanded_branch(
    browser, live_server, world, persona
):
    page = open_page(browser, live_server, world, persona, javascript=True)
    thesis, pro, nested = world["thesis"], world["pro"], world["nested"]
    page.goto(world["debate"].get_absolute_url())
    for claim in [thesis, nested]:
        if claim is nested:  # unfold the pro's branch first: the nested claim loads into it
            page.locator(f"#body-{pro.pk} [data-toggle]").click()
            expect(page.locator(f"#body-{nested.pk}")).to_be_visible()
        if claim is thesis:  # the column's head offers it, in sight
            page.locator(f"#body-{claim.pk} .column-adds .action-con").click()
        else:
            body = page.locator(f"#body-{claim.pk}")
            body.locator(".claim-menu > summary").click()
            menu_link(body, "Add con").click()
        level = page.locator(f"#body-{claim.pk}").get_attribute("aria-level")
        scope = page.locator(f"#slot-{claim.pk} form.claim-form")
        words = fill(page, scope, "Add con")
        submit(page, scope, "Add con", words)
        expect(page.locator(".claim-text", has_text=re.compile(words))).to_be_visible()
        # The answer keeps the tree's levels where it was added (the nested claim: 3).
        expect(page.locator(f"#body-{claim.pk}")).to_have_attribute("aria-level", level)
        added = page.locator('[role="treeitem"]', has_text=re.compile(words))
        expect(added).to_have_attribute("aria-level", str(int(level) + 1))
    assert page.js_errors == []


# The LMS frame ------------------------------------------------------------------------------
# A course page frames /lti/… for the launcher. The launch itself (signed by a platform) is
# test_lti_storage.py's; here the session it leaves behind is made directly: signed in, with
# the course's origin allowed to frame. The course page is served on the tool's own origin
# (Playwright answers it), so the frame keeps its first-party session cookie.
COURSE = "/__course-page__/"


def course_page(browser, live_server, world, persona: str, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
    )
    client = Client()
    client.force_login(world["users"][persona])
    session = client.session
    session[SESSION_ORIGINS] = [live_server.url]
    session.save()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    pro = world["pro"]
    src = reverse("lti:claim", args=[world["debate"].slug, pro.pk])
    context.route(
        f"{live_server.url}{COURSE}",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!doctype html><html lang="en"><title>Ethics 101</title><h1>Week 3</h1>'
            f'<iframe name="tool" src="{src}" width="1100" height="800" title="Debate"></iframe>',
        ),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "targetError" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    page.goto(COURSE)
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("persona", ["suggester", "owner"])
def test_every_offered_form_works_in_the_lms_frame(
    browser, live_server, world, persona, javascript
):
    page = course_page(browser, live_server, world, persona, javascript=javascript)
    pro = world["pro"]
    frame = page.frame_locator("iframe[name=tool]")
    body = frame.locator(f"#body-{pro.pk}")
    expect(body).to_be_visible()
    links = body.locator(".claim-writes a[href], a.action-flag[href]")
    controls = [(" ".join(a.text_content().split()), a.get_attribute("href")) for a in links.all()]
    names = {name for name, _ in controls}
    assert {"Add pro", "Add con", "Annotate"} <= names, names
    for name, _ in controls:
        # The card's menu opens without JavaScript (a <details>). With it, tree.js opens the
        # form in the claim's slot; without it, the form's page opens in a window of its own
        # (the site's pages may not be framed: followed inside the frame, it showed nothing).
        body = frame.locator(f"#body-{pro.pk}")
        if body.locator("details.claim-menu").get_attribute("open") is None:
            body.locator(".claim-menu > summary").click()
        link = body.locator("a.action-flag") if name == "Flag" else menu_link(body, name)
        where = frame
        if javascript:
            link.click()
            scope = (
                frame.locator(f"#flag-slot-{pro.pk} form")
                if name == "Flag"
                else frame.locator(f"#slot-{pro.pk} form[method=post]").last
            )
        else:
            with page.context.expect_page() as opened:
                link.click()
            where = opened.value
            scope = where.locator("main form[method=post]").last
        scope.wait_for()
        words = fill(page, scope, name)
        sender = page if javascript else where  # the window whose requests to watch
        with sender.expect_request(lambda r: r.method == "POST", timeout=5_000):
            scope.locator("button[type=submit]").first.click()
        again = where.get_by_role("button", name="Post it anyway")
        if name.startswith("Add") and again.count():
            with sender.expect_request(lambda r: r.method == "POST", timeout=5_000):
                again.click()
        expect(where.locator("main")).to_contain_text(words)
        if not javascript:
            where.close()
    assert page.url.endswith(COURSE)  # the course page itself never left
    assert page.js_errors == []
