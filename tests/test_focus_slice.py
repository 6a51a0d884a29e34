"""A worker holding nothing of a debate shows a claim's focus page and its branch fragment
from the claims around it (arguments/structure/first_screen.py, `around`): the same page, for
every persona, as the whole structure gives, in a few queries whatever the debate's size."""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Relation, Stance
from arguments.services.guards import bump_version
from arguments.structure import first_screen, loader
from arguments.structure.loader import debate_structure, holds
from tests import test_first_screen
from tests.conftest import build_debate
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold

argued = test_first_screen.argued  # the same debate with every kind of row

PERSONAS = ["anonymous", "viewer", "suggester", "writer", "moderator", "owner"]


def _get(client, user, url: str, *, branch: bool = False) -> tuple[int, str]:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    if branch:
        response = client.get(url, {"part": "branch", "depth": "2"}, HTTP_HX_REQUEST="true")
    else:
        response = client.get(url)
    html = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))


def _focus_url(debate: Debate, claim_id: int) -> str:
    return reverse("arguments:claim", args=[debate.slug, claim_id])


statuses: dict[int, int] = {}  # every answer compared, by status: some of each are 200


def _same_cold_as_whole(client, user, debate: Debate, claim_id: int, *, branch: bool) -> None:
    url = _focus_url(debate, claim_id)
    _cold()
    debate_structure(debate)  # a worker holding the debate (and the strengths stored)
    whole = _get(client, user, url, branch=branch)
    _cold()
    sliced = _get(client, user, url, branch=branch)
    assert not holds(debate), "the slice is never kept"
    statuses[whole[0]] = statuses.get(whole[0], 0) + 1
    assert sliced == whole, f"claim {claim_id}, {'branch' if branch else 'focus page'}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("branch", [False, True])
def test_a_cold_focus_page_is_the_page_the_whole_structure_gives(
    client, cast, argued, persona, branch, monkeypatch
):
    user = cast[persona]
    claims = list(Claim.objects.filter(debate=argued).order_by("id").values_list("pk", flat=True))
    statuses.clear()
    for claim_id in [*claims, max(claims) + 1000]:  # every claim, and one that is none
        _same_cold_as_whole(client, user, argued, claim_id, branch=branch)
    assert statuses[200] >= 5 and statuses[404] >= 1


def test_a_claim_of_another_debate_is_no_claim_here(client, cast, argued):
    other = build_debate(5, slug="another")
    debate_structure(argued)
    elsewhere = Claim.objects.filter(debate=other).exclude(is_thesis=True).first()
    _cold()
    status, _ = _get(client, cast.anonymous, _focus_url(argued, elsewhere.pk))
    assert status == 404


@pytest.mark.parametrize("size", [10, 2000])
def test_a_cold_focus_page_and_branch_read_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"focus-{size}")
    debate_structure(debate)  # someone read it once: its strengths are stored
    debate.refresh_from_db()
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    deep = Relation.objects.filter(debate=debate, is_link=False).order_by("-id").first().parent_id
    url = _focus_url(debate, deep)
    _cold()
    # The debate, then the slice in one snapshot: the versions it stands at, the theses,
    # the relations beneath, the ways up, the claims, their citations and notes. If this
    # grows, say why.
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    _cold()
    with django_assert_max_num_queries(9):
        response = client.get(url, {"part": "branch"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    client.force_login(cast.writer)
    _cold()
    # Session, user, debate with my role, the slice (7), notices, my votes, the picker's
    # perspectives, whether I follow the debate and the claim.
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    assert not holds(debate)


def test_strengths_behind_the_debate_load_the_whole_debate(client, cast, argued, pro):
    """Behind by a write that could not say what it changed (votes and the writes that
    say are caught up from the stored copies: stored_catch_up.py, stored_writes.py)."""
    debate_structure(argued)
    services.vote_cast(user=cast.owner, point=pro.parent_relations.get(), value=0)
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not caught up.")
    bump_version(argued)  # as an admin's edit or a merge: every process reloads
    _cold()
    argued.refresh_from_db()
    assert first_screen.structure_for(argued, around=pro.pk).whole
    assert holds(argued)


def _random_write(rng: random.Random, cast, debate: Debate) -> None:
    claims = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
    parent = rng.choice(claims)
    act = rng.random()
    writer = rng.choice([cast.writer, cast.editor, cast.owner])
    if act < 0.45:
        services.claim_add(
            actor=writer,
            parent=parent,
            stance=rng.choice([Stance.PRO, Stance.CON]),
            text=f"Claim {rng.random():.6f}",
        )
    elif act < 0.7:
        point = parent.parent_relations.filter(is_link=False).first() or (
            parent if parent.is_thesis else None
        )
        if point is not None:
            services.vote_cast(user=writer, point=point, value=rng.randint(0, 4))
    elif act < 0.8:
        services.claim_add(actor=cast.suggester, parent=parent, stance=Stance.CON, text="Waiting.")
    elif act < 0.9 and not parent.is_thesis:
        target = rng.choice(claims)
        if target.pk != parent.pk and not target.is_thesis:
            with contextlib.suppress(ValidationError):  # refused: already there, a cycle…
                services.claim_link(actor=writer, claim=target, parent=parent, stance=Stance.PRO)
    elif not parent.is_thesis:
        services.claim_hide(actor=cast.moderator, claim=parent)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_slice_around_each_claim_agrees_with_the_whole_after_random_writes(
    client, cast, debate, seed
):
    """A seeded sequence of writes and votes; after every few, each claim's cold focus page
    equals the page the whole structure gives (a visitor and a moderator)."""
    rng = random.Random(seed)
    for step in range(24):
        _random_write(rng, cast, debate)
        if step % 8 != 7:
            continue
        debate.refresh_from_db()
        ids = list(Claim.objects.filter(debate=debate).values_list("pk", flat=True))
        for claim_id in rng.sample(ids, min(6, len(ids))):
            for user in (cast.anonymous, cast.moderator):
                _same_cold_as_whole(client, user, debate, claim_id, branch=False)


def test_an_embedded_branch_is_read_around_its_claim(client, cast, argued):
    """The embed's `part=branch` (a visitor in another site's frame): the same fragment from
    the slice as from the whole structure, and the slice is never kept."""
    shown = 0
    for claim_id in Claim.objects.filter(debate=argued).values_list("pk", flat=True):
        url = reverse("arguments:embed_claim", args=[argued.slug, claim_id])
        _cold()
        debate_structure(argued)
        whole = client.get(url, {"part": "branch"}, HTTP_HX_REQUEST="true")
        _cold()
        sliced = client.get(url, {"part": "branch"}, HTTP_HX_REQUEST="true")
        assert not holds(argued)
        assert (sliced.status_code, NONCE.sub("nonce", sliced.content.decode())) == (
            whole.status_code,
            NONCE.sub("nonce", whole.content.decode()),
        )
        shown += whole.status_code == 200
    assert shown >= 5
