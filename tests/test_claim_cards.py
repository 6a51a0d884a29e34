"""Claim cards kept per worker (arguments/views/cards.py): a kept card is the card a fresh render
gives, for every persona; whatever a card shows is in its key, so a vote, an edit or another
reader's role never serves a stale or someone else's card."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from arguments import caches, services
from arguments.models import Debate, Perspective
from arguments.reading.actions import Actions
from arguments.reading.lens import Lens
from arguments.reading.links import Frame
from arguments.reading.perspectives import viewpoint_for
from arguments.reading.tree import TreeItem
from arguments.rules.permissions import role_in
from arguments.structure.graph import CitedSource
from arguments.views import cards
from arguments.views.cards import (
    CARD_TEMPLATE,
    ITEM_TEMPLATE,
    NOT_KEYED,
    VOTE_HOLE,
    VOTE_LINE,
    VOTE_TEMPLATE,
    fingerprint,
    forget_cards,
    voted,
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
# What a vote changes (`VOTE_LINE`), and the tallies of the claim and its relation, which the
# card's vote line shows through the tree item's own.
VOTES: dict[str, Callable[[TreeItem], None]] = {
    change: CHANGES[change] for change in ("strength", "tally", "my vote", "votes hidden")
} | {
    "claim's tally": lambda i: setattr(
        i, "node", dataclasses.replace(i.node, tally=(1, 0, 0, 0, 9))
    ),
    "relation's tally": lambda i: setattr(
        i, "edge", dataclasses.replace(i.edge, tally=(0, 3, 0, 0, 1))
    ),
}
HOLE = "\x00the vote line\x00"


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

    def key() -> tuple[object, ...]:  # the card around its vote line's, and the vote line's
        return (fingerprint(item), voted(item, request.get_full_path()))

    before, was = card(), key()
    CHANGES[change](item)
    assert card() != before, f"the test's change to {change} shows nothing"
    assert key() != was


@pytest.mark.parametrize("template", ["arguments/_claim_body.html", "arguments/_claim.html"])
@pytest.mark.parametrize("change", VOTES)
def test_a_vote_changes_the_vote_line_alone(cast, debate, thesis, pro, con, change, template):
    """A card is kept apart from its vote line: what a vote changes is not in the key of the
    card around the vote line, and that card does not show it."""
    lens = Lens.of(Debate.objects.get(pk=debate.pk), cast.writer)
    (item,) = [i for i in lens.theses(levels=1)[0].pros if i.node.id == pro.pk]
    request = RequestFactory().get(debate.get_absolute_url())
    request.user = cast.writer

    def around() -> list[str]:  # the card as it is kept: cut at its vote line
        forget_cards()
        return render_to_string(template, {"item": item, VOTE_HOLE: HOLE}, request).split(HOLE)

    def line() -> str:
        return render_to_string(VOTE_TEMPLATE, {"item": item}, request)

    before, key, shown = around(), fingerprint(item), line()
    VOTES[change](item)
    assert len(before) == 2 and '<div class="votes"' not in "".join(before)
    assert around() == before
    assert fingerprint(item) == key
    if change in CHANGES:  # shown by the vote line (the claim's and relation's are not)
        assert line() != shown, f"the test's change to {change} shows nothing"


def test_cards_with_notes_or_notices_are_rendered_each_time(cast, debate, pro):
    services.annotation_add(
        actor=cast.writer, claim=pro, body="A private thought.", visibility="private"
    )
    lens = Lens.of(Debate.objects.get(pk=debate.pk), cast.writer)
    (item,) = [i for i in lens.theses(levels=1)[0].pros if i.node.id == pro.pk]
    assert item.notes and fingerprint(item) is None


def test_what_the_key_leaves_out_names_fields_of_a_tree_item() -> None:
    assert set(NOT_KEYED) <= {f.name for f in dataclasses.fields(TreeItem)}
    assert set(VOTE_LINE) <= {f.name for f in dataclasses.fields(TreeItem)}


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
    rendered: dict[tuple[object, ...], tuple[str, str]] = {}
    for setting, changes in settings:
        Debate.objects.filter(pk=debate.pk).update(**changes)
        for reader, lens in _readers(cast, Debate.objects.get(pk=debate.pk), economist):
            if not lens.readable:
                continue
            for path in ("/a/page/", "/another/?order=newest"):
                request = RequestFactory().get(path)
                request.user = lens.user
                for item in [i for thesis in lens.theses(levels=2) for i in _items(thesis)]:
                    shown = fingerprint(item)
                    if shown is None:
                        continue
                    # An unfolded claim's <li> holds its branch: never kept (render_item).
                    kept = (CARD_TEMPLATE,) if item.expanded else (CARD_TEMPLATE, ITEM_TEMPLATE)
                    # Each kept apart from its vote line (keyed by all the card shows).
                    parts = {(template, *shown): {VOTE_HOLE: HOLE} for template in kept}
                    parts[(VOTE_TEMPLATE, *shown, voted(item, path))] = {}
                    for key, hole in parts.items():
                        forget_cards()  # a fresh render: this compares renders, not the store
                        context = {"item": item, **hole}
                        html = TOKEN.sub("…", render_to_string(key[0], context, request))
                        seen = rendered.setdefault(key, (html, f"{reader}, {setting}"))
                        assert html == seen[0], f"{reader}, {setting} and {seen[1]}: one key"
    # Many readers share cards (that is the store's point), and many cards differ.
    assert len(rendered) > 100
    assert len({key for key in rendered if key[0] == VOTE_TEMPLATE}) > 30


HX = {"HX-Request": "true"}
MASKS = [  # what differs between two renders of one page and is no store's doing
    (TOKEN, 'name="csrfmiddlewaretoken" value="…"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken": "…"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce="…"'),
    (re.compile(r"ticket=[^\"&]+"), "ticket=…"),
]


def _forget_all_but_the_cards() -> None:
    for store in caches.stores():
        if store.forget is not None and store.name != "cards":
            store.forget()
    cache.clear()


def test_pages_after_votes_and_a_write_are_the_pages_the_templates_give(
    client, cast, debate, thesis, pro, con, monkeypatch
):
    """The cards kept around their vote lines from before the votes, joined with the vote
    lines rendered since, make each page byte for byte as the templates make it with no
    store at all (each card rendered in place, its vote line included in it)."""
    relation = pro.parent_relations.get()
    pages = [
        (persona, url, headers)
        for persona in ("writer", "moderator", "anonymous")
        for url, headers in [
            (debate.get_absolute_url(), {}),
            (thesis.get_absolute_url(), {}),
            (thesis.get_absolute_url(), HX),  # the thesis's branch
            (pro.get_absolute_url() + "?order=newest", {}),
        ]
    ]

    def read(persona: str, url: str, headers: dict[str, str]) -> str:
        client.logout()
        if persona != "anonymous":
            client.force_login(cast[persona])
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        for mask, stand_in in MASKS:
            html = mask.sub(stand_in, html)
        return html

    def without_the_store(persona: str, url: str, headers: dict[str, str]) -> str:
        caches.forget_all()
        with monkeypatch.context() as patched:
            patched.setattr(cards, "_shown", lambda item, context: None)
            return read(persona, url, headers)

    for page in pages:
        read(*page)  # every card kept, cut at its vote line
    writes = [
        lambda: services.vote_cast(user=cast.editor, point=relation, value=4),
        lambda: services.vote_cast(user=cast.writer, point=relation, value=1),
        lambda: services.vote_cast(user=cast.viewer, point=thesis, value=0),
        lambda: services.claim_add(actor=cast.editor, parent=pro, stance="con", text="But no."),
    ]
    for write in writes:
        write()
        for page in pages:
            _forget_all_but_the_cards()  # the pages made anew, from the cards kept before
            kept = read(*page)
            assert "csrf-token-of-this-request" not in kept
            assert kept == without_the_store(*page), page
            read(*page)  # the cards kept again for the next write


def test_a_write_after_a_vote_renders_the_voted_siblings_vote_line_alone(
    client, cast, debate, thesis, pro, con
):
    """A class's write answers with its parent's branch: a sibling voted on since the last
    write to that parent is its kept card around a new vote line, not a card rendered
    whole (issue 35)."""
    client.force_login(cast.writer)
    add = reverse("arguments:claim_add", kwargs={"slug": debate.slug, "pk": thesis.pk})
    first = {"text": "Weights let anyone audit a model.", "stance": "pro", "anyway": "1"}
    assert client.post(add, first, headers=HX).status_code == 200
    services.vote_cast(user=cast.editor, point=pro.parent_relations.get(), value=4)
    second = {"text": "Local use keeps private data home.", "stance": "pro", "anyway": "1"}
    answer = client.post(add, second, headers=HX)
    assert answer.status_code == 200 and "Local use keeps" in answer.content.decode()
    rendered = Counter(template.name for template in answer.templates)
    assert rendered[ITEM_TEMPLATE] == 1  # the new claim's <li>: pro's, con's, the first's kept
    assert rendered[CARD_TEMPLATE] == 2  # the new claim's card, its parent's (out of band)
    assert rendered[VOTE_TEMPLATE] == 3  # and their vote lines, and pro's (voted on)


def test_a_card_kept_on_one_page_serves_another(client, cast, debate, thesis, pro, con):
    """The card around its vote line is the same on every page showing the claim the same
    way (only the vote form's `next` names the page): a write's answer uses the cards the
    writer's focus page kept."""
    client.force_login(cast.writer)
    assert client.get(thesis.get_absolute_url()).status_code == 200  # pro's and con's kept
    add = reverse("arguments:claim_add", kwargs={"slug": debate.slug, "pk": thesis.pk})
    text = {"text": "Weights let anyone audit a model.", "stance": "pro", "anyway": "1"}
    answer = client.post(add, text, headers=HX)
    assert answer.status_code == 200
    rendered = Counter(template.name for template in answer.templates)
    assert rendered[ITEM_TEMPLATE] == 1  # the new claim's <li>: pro's and con's kept
    assert rendered[VOTE_TEMPLATE] == 4  # every vote line: its form's `next` is this page's
    assert f'value="{add}#claim-{pro.pk}"' in answer.content.decode()
