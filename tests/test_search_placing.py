"""Search places its hits from their ways up, read alone (arguments/structure/placing.py),
never from the whole debate: the same results, in the same order, with the same paths and
the same visibility for every persona as the whole structure gives, in one debate and across
debates, on SQLite and PostgreSQL (issue 35)."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse

from arguments import caches, services
from arguments.models import Claim, Debate, Role, Stance
from arguments.structure import loader, placing
from arguments.structure.loader import debate_structure, holds
from tests import test_first_screen
from tests.conftest import build_debate
from tests.factories import MembershipFactory
from tests.test_first_screen import NONCE, TOKEN
from tests.test_focus_slice import PERSONAS, _random_write

argued = test_first_screen.argued  # pending, hidden, linked, under-hidden claims

pytestmark = pytest.mark.django_db


def _placed_whole(debates, claims):
    """What placing the hits was before issue 35: every debate's whole structure."""
    return {debate.pk: debate_structure(debate) for debate in debates}


def _page(client, user, url: str, query: str) -> str:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    return NONCE.sub("nonce", TOKEN.sub("csrf", response.content.decode()))


def _same_as_whole(client, user, url: str, query: str, monkeypatch) -> str:
    with monkeypatch.context() as whole_placing:
        whole_placing.setattr(placing, "placed", _placed_whole)
        caches.forget_all()
        whole = _page(client, user, url, query)
    caches.forget_all()
    with monkeypatch.context() as cold:
        cold.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        sliced = _page(client, user, url, query)
    assert sliced == whole, f"{user}: {url}?q={query}"
    return sliced


def _hits_shown(page: str) -> str:
    """The results of a search page (the page repeats the query elsewhere)."""
    start = page.find('<ol class="search-hits">')
    return "" if start < 0 else page[start : page.index("</ol>", start)]


def _queries(debate: Debate) -> list[str]:
    """A query for every claim of the debate (its first two words), and one for them all."""
    texts = Claim.objects.filter(debate=debate).values_list("text", flat=True)
    return [*sorted({" ".join(text.split()[:2]) for text in texts}), "the"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_debates_search_is_the_one_the_whole_structure_gives(
    client, cast, argued, persona, monkeypatch
):
    user = cast[persona]
    # "Under it." is all stop words in English: PostgreSQL finds it by its source's title.
    under = Claim.objects.get(debate=argued, text="Under it.")
    services.source_cite(actor=cast.owner, claim=under, url="https://e.org/b", title="Evidence")
    url = reverse("arguments:debate_search", args=[argued.slug])
    found = "".join(
        _hits_shown(_same_as_whole(client, user, url, q, monkeypatch))
        for q in [*_queries(argued), "evidence"]
    )
    shown = {int(pk) for pk in re.findall(r"/claims/(\d+)/", found)}

    def claim(text: str) -> int:
        return Claim.objects.get(debate=argued, text=text).pk

    # Visibility decided along the way up: nobody but a moderator finds the hidden claim or
    # the one beneath it (wherever it is linked); a pending one only its author and the
    # moderators.
    moderates = persona in ("moderator", "owner")
    assert (claim("Hidden later.") in shown) == moderates
    assert (claim("Under it.") in shown) == moderates
    assert (claim("Waiting at the top.") in shown) == (moderates or persona == "suggester")
    assert claim("Two levels down.") in shown


@pytest.mark.parametrize("persona", [*PERSONAS, "stranger"])
def test_a_search_across_debates_is_the_one_the_whole_structures_give(
    client, cast, argued, persona, monkeypatch
):
    private = services.debate_create(
        owner=cast.owner,
        title="A private one",
        thesis="The released weights stay private.",
        visibility=Debate.Visibility.PRIVATE,
    )
    MembershipFactory(debate=private, user=cast.viewer, role=Role.VIEWER)
    hidden = services.claim_add(
        actor=cast.owner, parent=private.claims.get(), stance=Stance.PRO, text="Released later."
    )
    services.claim_add(actor=cast.owner, parent=hidden, stance=Stance.CON, text="Released below.")
    services.claim_hide(actor=cast.owner, claim=hidden)
    user = cast[persona]
    url = reverse("arguments:debate_list")
    found = "".join(
        _hits_shown(_same_as_whole(client, user, url, q, monkeypatch))
        for q in [*_queries(argued), "released"]
    )
    assert ("stay private" in found) == (persona in ("viewer", "owner"))
    assert ("<mark>Released</mark> below" in found) == (persona == "owner")


@pytest.mark.parametrize("seed", [1, 2])
def test_search_agrees_with_the_whole_structure_after_random_writes(
    client, cast, debate, seed, monkeypatch
):
    rng = random.Random(seed)
    url = reverse("arguments:debate_search", args=[debate.slug])
    for step in range(24):
        _random_write(rng, cast, debate)
        if step % 8 == 7:
            for user in (cast.anonymous, cast.suggester, cast.moderator):
                _same_as_whole(client, user, url, "claim", monkeypatch)


def test_the_ways_up_are_the_whole_structures_paths(argued):
    whole = debate_structure(argued)
    claims = list(whole.nodes)
    caches.forget_all()
    part = placing.placed([argued], claims)[argued.pk]
    assert not part.whole and not holds(argued)
    for claim_id in claims:
        assert part.path_to(claim_id) == whole.path_to(claim_id)
    assert placing.placed([argued], []) == {}
    other = services.debate_create(owner=argued.owner, title="Other", thesis="Elsewhere.")
    assert placing.placed([other], claims) == {}, "claims of a debate not asked for: none"


@pytest.mark.parametrize("size", [10, 2000])
def test_similar_claims_while_typing_read_a_few_rows_at_any_size(
    client, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"similar-{size}")
    debate_structure(debate)  # someone read it once: its strengths are stored
    last = Claim.objects.filter(debate=debate).order_by("-id").first()
    client.force_login(debate.owner)
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    caches.forget_all()
    url = reverse("arguments:claim_add", args=[debate.slug, debate.claims.get(is_thesis=True).pk])
    draft = {"part": "similar", "stance": "pro", "text": f"{last.text} again"}
    # Session, user, debate (3), the slice around the claim (7), the claim's row, the claims
    # beneath it, the candidates, their ways up (2); if this grows, say why.
    with django_assert_max_num_queries(15):
        response = client.get(url, draft, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f"/claims/{last.pk}/" in response.content.decode()
    assert not holds(debate)
