"""axe-core in Chromium on every page, as a visitor, a writer and a moderator, at desktop and
phone width: no violation of the WCAG 2.1 A and AA rules.

axe-core comes bundled in the `axe-playwright-python` package (no download at test time).
`label-content-name-mismatch` is still flagged experimental by axe, so it is switched on by
name: a control's accessible name must contain the text it shows (WCAG 2.5.3).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from arguments.models import Claim, Debate, Membership, Role, Snapshot
from arguments.services.snapshots import debate_freeze
from tests.conftest import seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PERSONAS = ["visitor", "writer", "moderator"]


@pytest.fixture
def seeded(transactional_db) -> Debate:
    seed_demo()  # the command once per test process (tests/conftest.py)
    return Debate.objects.get(slug="open-weight-ai")


def sign_in(context, live_server, user) -> None:
    """Hand the browser a session made by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def pages_for(debate: Debate, persona: str) -> list[str]:
    """Every kind of page the persona can open: the lists, the debate, a claim in focus, the
    forms, settings, import, the embed, the account pages and the error pages."""
    slug = debate.slug
    thesis = debate.claims.theses().first()
    pro = Claim.objects.filter(parent_relations__parent=thesis, parent_relations__is_link=False)[0]

    def claim(name: str, pk: int = pro.pk) -> str:
        return reverse(f"arguments:{name}", args=[slug, pk])

    pages = [
        reverse("arguments:debate_list"),
        debate.get_absolute_url(),
        claim("claim"),
        reverse("arguments:debate_search", args=[slug]) + "?q=weights",
        reverse("arguments:debate_map", args=[slug]),
        reverse("arguments:embed_dialog", args=[slug]),
        reverse("arguments:embed_debate", args=[slug]),
        "/d/no-such-debate/",  # 404
        *frozen_pages(debate),
    ]
    if persona == "visitor":
        return [*pages, reverse("account_login"), reverse("account_signup")]
    pages += [
        claim("claim_add") + "?stance=con",
        claim("claim_cite"),
        claim("claim_flag"),
        claim("claim_annotate"),
        reverse("arguments:import"),
        reverse("arguments:profile"),
        reverse("arguments:debate_settings", args=[slug]),  # a writer's 403
        # Teaching (issue 37).
        reverse("arguments:guided_voting", args=[slug]),
        reverse("arguments:debate_tasks", args=[slug]),
        reverse("arguments:my_feedback", args=[slug]),
    ]
    if persona == "moderator":
        pages += [
            claim("claim_edit"),
            claim("claim_moderation"),
            reverse("arguments:share_links", args=[slug]),
            claim("claim_feedback"),
            reverse("arguments:write_requests", args=[slug]),
        ]
    return pages


def frozen_pages(debate: Debate) -> list[str]:
    """A frozen version of the debate (taken on first need), and the changes since."""
    snapshot = Snapshot.objects.filter(debate=debate).first() or debate_freeze(
        actor=debate.owner, debate=debate
    )
    return [
        reverse("arguments:snapshot", args=[debate.slug, snapshot.number]),
        reverse("arguments:snapshot_diff", args=[debate.slug, snapshot.number]),
    ]


def violations_on(page, axe: Axe, where: str) -> Iterator[str]:
    results = axe.run(page, options=AXE_OPTIONS).response
    for violation in results["violations"]:
        for node in violation["nodes"]:
            yield f"{where}: {violation['id']} at {node['target']}: {node['failureSummary']}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_no_wcag_violation(browser, live_server, seeded, persona: str) -> None:
    if persona != "visitor":
        user = UserFactory(username=persona)
        role = Role.MODERATOR if persona == "moderator" else Role.WRITER
        Membership.objects.update_or_create(debate=seeded, user=user, defaults={"role": role})
    axe = Axe()
    found: list[str] = []
    # The error pages no URL can provoke on purpose, rendered as the app renders them.
    unprovoked = {
        "500": render_to_string("500.html"),
        "429": render_to_string("arguments/rate_limited.html", {"message": "Wait a minute."}),
    }
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        if persona != "visitor":
            sign_in(context, live_server, user)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for address in pages_for(seeded, persona):
            page.goto(address)
            found += violations_on(page, axe, f"{persona} {width_name} {address}")
        for code, html in unprovoked.items():
            page.goto("/")  # the page's address resolves the stylesheet's
            page.set_content(html)
            found += violations_on(page, axe, f"{persona} {width_name} error {code}")
        context.close()
    assert not found, "\n".join(found)


def test_the_dark_scheme_keeps_its_contrast(browser, live_server, seeded) -> None:
    """The same rules with the system in dark mode (prefers-color-scheme), on the pages
    with the most colour: the list, the debate, a claim in focus and the sign-in page."""
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, color_scheme="dark")
    page = context.new_page()
    found: list[str] = []
    for address in [*pages_for(seeded, "visitor")[:3], reverse("account_login")]:
        page.goto(address)
        found += violations_on(page, axe, f"dark {address}")
    context.close()
    assert not found, "\n".join(found)
