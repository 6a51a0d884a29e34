"""A worker holding nothing of a debate shows its page from the first screen alone
(arguments/structure/first_screen.py): the same page, for every persona, as the whole structure
gives, in a few queries whatever the debate's size, and never from strengths that are behind."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from arguments import caches, services
from arguments.models import Claim, Debate, Stance
from arguments.services.guards import bump_version
from arguments.structure import loader
from arguments.structure.loader import debate_structure, holds
from arguments.views.visitor_pages import forget_pages
from tests.conftest import build_debate

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
NONCE = re.compile(r'nonce="[^"]+"')
TICKET = re.compile(r"ticket=[^\"&]+")  # signed with the time: a second apart, it differs


def _cold() -> None:
    """A worker that holds nothing: no structure, no kept card, page or fragment."""
    caches.forget_all()


def _page(client, user, debate: Debate) -> str:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(debate.get_absolute_url())
    assert response.status_code == 200
    html = TOKEN.sub("csrf", response.content.decode())
    return TICKET.sub("ticket", NONCE.sub("nonce", html))


@pytest.fixture
def argued(cast, debate, thesis, pro, con) -> Debate:
    """Every kind of row the first screen shows or decides by: pending and hidden claims at
    both levels, links (one to a claim under a hidden branch), votes, sources, notes."""
    add = services.claim_add
    deep = add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="Beneath the pro.")
    deeper = add(actor=cast.writer, parent=deep, stance=Stance.CON, text="Two levels down.")
    add(actor=cast.suggester, parent=thesis, stance=Stance.CON, text="Waiting at the top.")
    add(actor=cast.suggester, parent=pro, stance=Stance.CON, text="Waiting beneath the pro.")
    hidden = add(actor=cast.writer, parent=con, stance=Stance.PRO, text="Hidden later.")
    under_hidden = add(actor=cast.writer, parent=hidden, stance=Stance.PRO, text="Under it.")
    services.claim_link(actor=cast.writer, claim=under_hidden, parent=pro, stance=Stance.CON)
    services.claim_hide(actor=cast.moderator, claim=hidden)  # after: its link stays, unseen
    services.claim_link(actor=cast.writer, claim=deeper, parent=thesis, stance=Stance.PRO)
    services.claim_link(actor=cast.writer, claim=deeper, parent=con, stance=Stance.CON)
    for value, user in enumerate([cast.writer, cast.editor, cast.viewer]):
        services.vote_cast(user=user, point=pro.parent_relations.get(), value=value + 2)
        services.vote_cast(user=user, point=deep.parent_relations.get(), value=4 - value)
        services.vote_cast(user=user, point=thesis, value=value)
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/a", title="A")
    services.annotation_add(actor=cast.writer, claim=con, body="A public note.")
    return Debate.objects.get(pk=debate.pk)


@pytest.mark.parametrize(
    "persona", ["anonymous", "viewer", "suggester", "writer", "moderator", "owner"]
)
def test_the_first_screen_is_the_page_the_whole_structure_gives(client, cast, argued, persona):
    user = cast[persona]
    debate_structure(argued)  # loads, and stores the strengths
    whole = _page(client, user, argued)
    _cold()
    first = _page(client, user, argued)
    assert not holds(argued), "the slice is never kept"
    assert first == whole
    assert "Two levels down." in whole and "Hidden later." not in first


def test_the_slice_holds_the_strengths_the_whole_structure_computes(argued):
    whole = debate_structure(argued)
    from arguments.structure import first_screen

    argued.refresh_from_db()
    part = first_screen.load(argued)
    assert not part.whole
    assert part.theses == whole.theses
    for claim_id in part.nodes:
        assert part.strength.get(claim_id) == whole.strength.get(claim_id)
    for parent in (*whole.theses, *(e.child for e in whole.children[whole.theses[0]])):
        assert part.children.get(parent, []) == whole.children.get(parent, [])
    assert part.newest_claim == whole.newest_claim


@pytest.mark.parametrize("size", [10, 2000])
def test_a_cold_first_screen_reads_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"first-{size}")
    debate_structure(debate)  # someone read it once: its strengths are stored
    debate.refresh_from_db()
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    _cold()
    # The kept page's state, the debate, then the slice in one snapshot: the versions it
    # stands at (issue 38), its relations, the links' ways up, its claims, their citations and
    # notes, the newest claim's id. If this grows, say why.
    with django_assert_max_num_queries(9):
        assert client.get(debate.get_absolute_url()).status_code == 200
    client.force_login(cast.writer)
    _cold()
    # Session, user, debate with my role, the slice (7), notices, my votes, the picker's
    # perspectives, whether I follow the debate.
    with django_assert_max_num_queries(14):
        assert client.get(debate.get_absolute_url()).status_code == 200
    assert not holds(debate)


def test_strengths_behind_the_debate_are_never_shown(client, cast, argued, pro, monkeypatch):
    """A write that could not say what it changed moves the debate past the stored
    strengths: a worker holding nothing loads the whole debate (and stores), it never shows
    them. (Votes and the writes that say what they changed it catches up from the stored
    copy: tests/test_stored_catch_up.py, tests/test_write_without_structure.py.)"""
    debate_structure(argued)
    services.vote_cast(user=cast.owner, point=pro.parent_relations.get(), value=0)
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not caught up.")
    bump_version(argued)  # as an admin's edit or a merge: every process reloads
    _cold()
    loads: list[int] = []
    original = loader._load_structure
    monkeypatch.setattr(loader, "_load_structure", lambda d: loads.append(d.pk) or original(d))
    page = _page(client, cast.anonymous, argued)
    assert loads == [argued.pk]
    _cold()
    assert _page(client, cast.anonymous, argued) == page
    assert loads == [argued.pk], "stored by the whole load: the next cold page is a slice"


def test_a_worker_that_holds_the_debate_serves_the_page_from_it(client, cast, argued, monkeypatch):
    debate_structure(argued)
    forget_pages()
    cache.clear()
    monkeypatch.setattr(
        "arguments.structure.first_screen.load", lambda debate: pytest.fail("sliced while held")
    )
    _page(client, cast.writer, argued)
    assert holds(argued)


def test_a_claim_deeper_than_the_first_screen_reads_the_slice_around_it(client, argued):
    """Its focus page reads the claims around it, not the whole debate (issue 35;
    tests/test_focus_slice.py compares it with the page the whole structure gives)."""
    debate_structure(argued)
    _cold()
    deeper = Claim.objects.get(text="Two levels down.")
    response = client.get(f"{argued.get_absolute_url()}claims/{deeper.pk}/")
    assert response.status_code == 200 and "Two levels down." in response.content.decode()
    assert not holds(argued)
