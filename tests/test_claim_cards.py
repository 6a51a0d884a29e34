"""Claim cards kept per worker (arguments/views/cards.py): a kept card is the card a fresh render
gives, for every persona; whatever a card shows is in its key, so a vote, an edit or another
reader's role never serves a stale or someone else's card."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from arguments import services
from arguments.models import Debate, Perspective
from arguments.reading.actions import Actions
from arguments.reading.lens import Lens
from arguments.reading.links import Frame
from arguments.reading.perspectives import viewpoint_for
from arguments.reading.tree import TreeItem
from arguments.rules.permissions import role_in
from arguments.structure.graph import CitedSource
from arguments.views.cards import (
    CARD_TEMPLATE,
    ITEM_TEMPLATE,
    NOT_KEYED,
    fingerprint,
    forget_cards,
)
from tests.conftest import ROLES

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, user, debate: Debate) -> str:
    if user.is_authenticated:
        client.force_login(user)
    html = client.get(debate.get_absolute_url()).content.decode()
    html = html[html.index('<ul class="tree"') : html.index('<aside class="debate-aside"')]
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)


@pytest.mark.parametrize("persona", ["owner", "moderator", "writer", "suggester", "stranger"])
def test_a_kept_card_is_the_card_a_fresh_render_gives(client, cast, debate, pro, con, persona):
    user = cast[persona]
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    fresh = _page(client, user, debate)
    kept = _page(client, user, debate)  # every card from the store now
    assert kept == fresh
    forget_cards()
    assert _page(client, user, debate) == fresh


def test_my_vote_shows_on_my_card_only(client, cast, debate, pro):
    for user in (cast.writer, cast.editor):  # both pages keep their cards first
        _page(client, user, debate)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    assert "mine: 3" in _page(client, cast.writer, debate)
    assert "mine: 3" not in _page(client, cast.editor, debate)


def test_a_moderators_card_never_reaches_a_writer(client, cast, debate, pro):
    assert ">Hide</button>" in _page(client, cast.moderator, debate)
    writer_page = _page(client, cast.writer, debate)
    assert ">Hide</button>" not in writer_page
    assert "Add pro" in writer_page


def test_each_request_gets_its_own_csrf_token_in_a_kept_card(client, cast, debate, pro):
    client.force_login(cast.writer)
    client.get(debate.get_absolute_url())
    page = client.get(debate.get_absolute_url())
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()))
    assert tokens and "csrf-token-of-this-request" not in page.content.decode()
    # A kept card's form posts with this request's token: the vote goes through.
    client_checked = client.__class__(enforce_csrf_checks=True)
    client_checked.force_login(cast.writer)
    page = client_checked.get(debate.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    url = f"/d/{debate.slug}/claims/{pro.pk}/vote/"
    answer = client_checked.post(url, {"value": "4", "csrfmiddlewaretoken": token})
    assert answer.status_code in (200, 302)
    assert "mine: 4" in _page(client, cast.writer, debate)


# Each change to what a card shows, made to a tree item: the card renders differently, and
# its key differs, so the store can never answer with the card as it was.
CHANGES: dict[str, Callable[[TreeItem], None]] = {
    "text": lambda i: setattr(i, "node", dataclasses.replace(i.node, text="Changed text.")),
    "elaboration": lambda i: setattr(i, "node", dataclasses.replace(i.node, elaboration="More.")),
    "status": lambda i: setattr(i, "node", dataclasses.replace(i.node, status="pending")),
    "author": lambda i: setattr(i, "node", dataclasses.replace(i.node, author="somebody")),
    "depth": lambda i: setattr(i, "depth", i.depth + 1),
    "expanded": lambda i: setattr(i, "expanded", not i.expanded),
    "pros": lambda i: setattr(i, "pro_count", i.pro_count + 1),
    "cons": lambda i: setattr(i, "con_count", i.con_count + 1),
    "citations": lambda i: i.citations.append(
        CitedSource(1, "https://example.org/a", "A report", "web", "", "")
    ),
    "actions": lambda i: setattr(i, "actions", Actions(vote=True, flag=True, hide=True)),
    "strength": lambda i: setattr(i, "strength", 0.91),
    "tally": lambda i: setattr(i, "tally", (0, 0, 1, 2, 7)),
    "my vote": lambda i: setattr(i, "my_vote", 2),
    "votes hidden": lambda i: setattr(i, "votes_hidden", True),
    "together": lambda i: setattr(i, "together", ("Another premise.",)),
    "cited address": lambda i: i.citations.append(
        CitedSource(None, None, None, None, "", "", "http://The survey, 2019")
    ),
}


@pytest.mark.parametrize("template", ["arguments/_claim_body.html", "arguments/_claim.html"])
@pytest.mark.parametrize("change", CHANGES)
def test_whatever_a_card_shows_is_in_its_key(cast, debate, thesis, pro, con, change, template):
    lens = Lens.of(Debate.objects.get(pk=debate.pk), cast.writer)
    (item,) = [i for i in lens.theses(levels=1)[0].pros if i.node.id == pro.pk]
    request = RequestFactory().get(debate.get_absolute_url())
    request.user = cast.writer

    def card() -> str:
        forget_cards()  # a fresh render each time: this compares renders, not the store
        return render_to_string(template, {"item": item}, request)

    before, key = card(), fingerprint(item, request.get_full_path())
    CHANGES[change](item)
    assert card() != before, f"the test's change to {change} shows nothing"
    assert fingerprint(item, request.get_full_path()) != key


def test_cards_with_notes_or_notices_are_rendered_each_time(cast, debate, pro):
    services.annotation_add(
        actor=cast.writer, claim=pro, body="A private thought.", visibility="private"
    )
    lens = Lens.of(Debate.objects.get(pk=debate.pk), cast.writer)
    (item,) = [i for i in lens.theses(levels=1)[0].pros if i.node.id == pro.pk]
    assert item.notes and fingerprint(item, "/") is None


def test_what_the_key_leaves_out_names_fields_of_a_tree_item() -> None:
    assert set(NOT_KEYED) <= {f.name for f in dataclasses.fields(TreeItem)}


def _items(item: TreeItem) -> list[TreeItem]:
    return [item, *(i for child in item.children for i in _items(child))]


def _readers(cast, debate: Debate, perspective: Perspective) -> list[tuple[str, Lens]]:
    """Lenses of every persona and frame, and of a few in each order and perspective."""
    lenses = []
    for persona in [*ROLES, "stranger", "staff", "anonymous"]:
        for frame in Frame:
            lenses.append((f"{persona} {frame}", Lens.of(debate, cast[persona], frame=frame)))
    for persona in ("writer", "anonymous", "staff"):
        lenses.append((f"{persona} newest", Lens.of(debate, cast[persona], order="newest")))
        economist = viewpoint_for(debate, f"named:{perspective.pk}", may_see_voters=False)
        user = cast[persona]
        lens = Lens(debate, user, role_in(user, debate), viewpoint=economist)
        lenses.append((f"{persona} as the economist", lens))
    return lenses


def test_equal_keys_render_equal_cards_whatever_the_reader_and_the_debate(
    cast, debate, thesis, pro, con
) -> None:
    """Whatever the card reads beyond the item's own fields (through the lens, its links,
    the page's path) must be in the key: across every persona, frame, order, perspective
    and debate setting, two cards with one key are one card."""
    economist = services.perspective_create(actor=cast.writer, debate=debate, name="Economist")
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    services.vote_cast(user=cast.writer, point=thesis, value=1, perspective=economist)
    services.claim_add(actor=cast.suggester, parent=pro, stance="con", text="Pending.")
    services.claim_add(actor=cast.editor, parent=con, stance="pro", text="Deeper.")
    services.claim_hide(actor=cast.moderator, claim=con)
    own = services.claim_add(actor=cast.moderator, parent=thesis, stance="pro", text="Mine.")
    services.claim_hide(actor=cast.owner, claim=own)  # its author and the owner both restore
    settings = [
        ("as created", {}),
        ("votes hidden until voted", {"hide_votes_until_voted": True}),
        ("no voting", {"voting_enabled": False}),
        ("locked", {"status": Debate.Status.LOCKED}),
        ("pseudonymous", {"pseudonymous": True}),
    ]
    cards: dict[tuple[object, ...], tuple[str, str]] = {}
    for setting, changes in settings:
        Debate.objects.filter(pk=debate.pk).update(**changes)
        for reader, lens in _readers(cast, Debate.objects.get(pk=debate.pk), economist):
            if not lens.readable:
                continue
            for path in ("/a/page/", "/another/?order=newest"):
                request = RequestFactory().get(path)
                request.user = lens.user
                for item in [i for thesis in lens.theses(levels=2) for i in _items(thesis)]:
                    shown = fingerprint(item, request.get_full_path())
                    if shown is None:
                        continue
                    # An unfolded claim's <li> holds its branch: never kept (render_item).
                    kept = (CARD_TEMPLATE,) if item.expanded else (CARD_TEMPLATE, ITEM_TEMPLATE)
                    for template in kept:
                        forget_cards()  # a fresh render: this compares renders, not the store
                        html = TOKEN.sub("…", render_to_string(template, {"item": item}, request))
                        seen = cards.setdefault((template, *shown), (html, f"{reader}, {setting}"))
                        assert html == seen[0], f"{reader}, {setting} and {seen[1]}: one key"
    # Many readers share cards (that is the store's point), and many cards differ.
    assert len(cards) > 100
