"""A worker holding nothing of a debate finds its cruxes from the points' stored tallies and
reads only the cards it shows (arguments/explore/cruxes.py, structure/places.py): the same
page and panel, for every persona, as the whole structure gives, in a few queries whatever
the debate's size."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from arguments import caches, services
from arguments.explore import cruxes
from arguments.models import Claim, Debate, Perspective, Relation, Vote
from arguments.structure import loader, places
from arguments.structure.loader import debate_structure, holds
from arguments.tasks.opinions import opinions_compute
from arguments.views.explore import CRUX_PAGE_ROWS
from tests import test_first_screen
from tests.conftest import build_debate
from tests.factories import UserFactory
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold
from tests.test_focus_slice import _random_write

argued = test_first_screen.argued  # pending and hidden claims, links, notes, sources

PERSONAS = ["anonymous", "viewer", "suggester", "writer", "moderator", "owner"]
SPLIT = [0, 0, 0, 4, 4, 4]  # half at each end: 100%


def _point(claim: Claim) -> Relation | Claim:
    return claim if claim.is_thesis else Relation.objects.get(child=claim, is_link=False)


def _voted(point: Relation | Claim, values: list[int], voters: list) -> None:
    for voter, value in zip(voters, values, strict=False):
        with contextlib.suppress(ValidationError):  # refused: a pending or hidden claim
            services.vote_cast(user=voter, point=point, value=value)


@pytest.fixture
def divided(argued, cast) -> Debate:
    """`argued` with split votes everywhere: on the thesis, on claims seen by everyone, on
    claims under a hidden one (seen by moderators only), on a link place (not a point of
    the claim), and points that are no crux (four votes; agreement)."""
    voters = [UserFactory() for _ in range(7)]
    claims = {c.text: c for c in Claim.objects.filter(debate=argued)}
    thesis = next(c for c in claims.values() if c.is_thesis)
    _voted(thesis, [0, 4, 0, 4, 2, 1], voters)
    for text, values in {
        "Beneath the pro.": SPLIT,
        "Two levels down.": [0, 1, 3, 4, 4],
        "Under it.": SPLIT,  # under a hidden claim
        "Hidden later.": [4, 4, 4, 0, 0, 0, 2],
        "Waiting beneath the pro.": SPLIT,  # pending: refused
    }.items():
        _voted(_point(claims[text]), values, voters)
    for claim in claims.values():
        if not claim.is_thesis and claim.text not in {"Beneath the pro.", "Two levels down."}:
            relation = Relation.objects.filter(child=claim, is_link=False).first()
            if relation is not None and sum(relation.histogram) == 0:
                _voted(relation, [2, 2, 2, 3, 2], voters)  # agreed
    link = Relation.objects.filter(debate=argued, is_link=True).first()
    _voted(link, SPLIT, voters)  # a link place's votes are not the claim's point
    services.vote_cast(user=cast.writer, point=_point(claims["Beneath the pro."]), value=4)
    return argued


def _url(debate: Debate) -> str:
    return reverse("arguments:debate_cruxes", args=[debate.slug])


def _get(client, user, debate: Debate, *, panel: bool) -> tuple[int, str]:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    if panel:
        response = client.get(_url(debate), {"part": "panel"}, HTTP_HX_REQUEST="true")
    else:
        response = client.get(_url(debate))
    html = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))


def _no_whole_load(debate: Debate) -> None:
    pytest.fail(f"debate {debate.pk} loaded whole")


def _same_cold_as_whole(
    client, user, debate: Debate, monkeypatch, *, panel: bool, get: Callable[..., Any] = _get
) -> str:
    """The page (or panel) `get` reads, cold with the whole load forbidden, is the page the
    whole structure gives (tests/test_gaps_slice.py asks the same of the gaps)."""
    _cold()
    debate_structure(debate)  # a worker holding the debate (and the strengths stored)
    whole = get(client, user, debate, panel=panel)
    _cold()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", _no_whole_load)
        sliced = get(client, user, debate, panel=panel)
    assert not holds(debate), "the slice is never kept"
    assert sliced == whole, f"{user}, {'panel' if panel else 'page'}"
    return whole[1]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("panel", [False, True])
@pytest.mark.parametrize("guided", [False, True])
def test_cold_cruxes_are_the_cruxes_the_whole_structure_gives(
    client, cast, divided, persona, panel, guided, monkeypatch
):
    Debate.objects.filter(pk=divided.pk).update(hide_votes_until_voted=guided)
    html = _same_cold_as_whole(client, cast[persona], divided, monkeypatch, panel=panel)
    assert "Waiting beneath the pro." not in html
    if not guided:
        assert "Beneath the pro." in html  # the test can fail: cruxes are shown
        seen_by_moderators = "Under it." in html
        assert seen_by_moderators == (persona in {"moderator", "owner"}), "under a hidden claim"
    elif persona == "anonymous":
        assert 'class="crux ' not in html  # votes hidden until one votes: a visitor has none


@pytest.mark.parametrize("seed", [1, 2])
def test_cold_cruxes_agree_with_the_whole_after_random_writes(
    client, cast, debate, seed, monkeypatch
):
    """Seeded writes (adds, suggestions, links, hides) and split votes from a crowd; after
    every few, the cold page equals the whole structure's for a visitor, a suggester (their
    own pending claims) and a moderator."""
    rng = random.Random(seed)
    crowd = [UserFactory() for _ in range(8)]
    for step in range(30):
        _random_write(rng, cast, debate)
        claims = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
        point = _point(rng.choice(claims))
        _voted(point, [rng.choice([0, 0, 1, 3, 4, 4]) for _ in crowd], rng.sample(crowd, 6))
        if step % 6 != 5:
            continue
        debate.refresh_from_db()
        for user in (cast.anonymous, cast.suggester, cast.moderator):
            _same_cold_as_whole(client, user, debate, monkeypatch, panel=False)


def test_too_many_split_points_load_the_debate_whole(client, cast, divided, monkeypatch):
    _cold()
    debate_structure(divided)
    whole = _get(client, cast.anonymous, divided, panel=False)
    _cold()
    monkeypatch.setattr(places, "PLACES_MAX", 2)
    assert _get(client, cast.anonymous, divided, panel=False) == whole
    assert holds(divided)


@pytest.mark.parametrize("size", [10, 2000])
def test_cold_cruxes_read_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"cruxes-{size}")
    # Only the first claims' points split: a few cruxes, whatever the size.
    first = Relation.objects.filter(debate=debate, is_link=False).order_by("id")[:60]
    Relation.objects.filter(pk__in=list(first.values_list("pk", flat=True))).update(
        votes_0=3, votes_4=3
    )
    Debate.objects.filter(pk=debate.pk).update(tally_version=1)
    debate.refresh_from_db()
    debate_structure(debate)  # someone read it once: its strengths are stored
    debate.refresh_from_db()
    assert places.store_unplaced(debate)  # and its claims with no place (a reader, a task)
    monkeypatch.setattr(loader, "_load_structure", _no_whole_load)
    _cold()
    # The debate, then in one snapshot: the split points with their ways up, the cards'
    # slice (the versions, the theses, the relations beneath, the ways up, the claims, their
    # citations and notes). If this grows, say why.
    with django_assert_max_num_queries(10):
        response = client.get(_url(debate))
    assert response.status_code == 200
    assert response.content.decode().count('class="crux ') == min(CRUX_PAGE_ROWS, size - 1)
    _cold()
    with django_assert_max_num_queries(10):
        response = client.get(_url(debate), {"part": "panel"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="crux ') == 3
    client.force_login(cast.writer)
    _cold()
    # Session, user, the debate with my role, the points and the slice (8), my votes, the
    # perspective I vote as.
    with django_assert_max_num_queries(16):
        assert client.get(_url(debate)).status_code == 200
    assert not holds(debate)


def test_the_loose_filter_in_sql_keeps_every_split_point(debate, thesis):
    """Integer arithmetic in SQL, looser than the floor: a point exactly at the floor (one
    step either side of the middle, variance 1) is picked on both engines, and decided a
    crux in Python."""
    Claim.objects.filter(pk=thesis.pk).update(votes_1=3, votes_3=3)
    debate.refresh_from_db()
    params = [Claim.Status.PUBLISHED, cruxes.MIN_VOTES]
    found = places.points_where(debate, "test", cruxes._loose_split, params, cruxes._split_among)
    assert found == [(0.25, 6, thesis.pk, f"c{thesis.pk}")], connection.vendor


@pytest.fixture
def camps(divided, cast) -> dict[str, Perspective]:
    """Two camps of five voting at opposite ends on every point that stands in the tree
    (written as rows), the opinion map computed, and each camp made a group perspective."""
    points = list(Relation.objects.filter(debate=divided, is_link=False, is_hidden=False))
    thesis = Claim.objects.get(debate=divided, is_thesis=True)
    made = {}
    votes = []
    for name, value in (("Ends", 0), ("Tops", 4)):
        members = [UserFactory() for _ in range(5)]
        for n, user in enumerate(members):
            votes += [Vote(user=user, relation=point, value=value) for point in points]
            votes.append(Vote(user=user, thesis=thesis, value=abs(value - n % 2)))
        made[name] = Perspective.objects.create(
            debate=divided, kind=Perspective.Kind.GROUP, name=name, created_by=cast.owner
        )
        made[name].members.set(members)
    Vote.objects.bulk_create(votes)
    opinions_compute(divided.pk)
    return made


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("by", ["groups", "perspectives"])
def test_cold_cruxes_between_groups_and_perspectives_are_the_whole_structures(
    client, cast, camps, persona, by, monkeypatch
):
    debate = Debate.objects.get(pk=camps["Ends"].debate_id)
    query = {"by": by}
    if by == "perspectives":
        query |= {"a": f"group:{camps['Ends'].pk}", "b": f"group:{camps['Tops'].pk}"}
    user = cast[persona]

    def get() -> tuple[int, str]:
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        response = client.get(_url(debate), query)
        html = TOKEN.sub("csrf", response.content.decode())
        return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))

    _cold()
    debate_structure(debate)
    whole = get()
    _cold()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", _no_whole_load)
        sliced = get()
    assert not holds(debate)
    assert sliced == whole
    if by == "perspectives" and persona not in {"moderator", "owner"}:
        assert whole[0] == 403  # how participants voted: for who runs the debate
    else:
        assert whole[0] == 200 and "steps apart" in whole[1]  # the test can fail
        assert ("Under it." in whole[1]) == (persona in {"moderator", "owner"})


def _cold_but_the_places() -> None:
    """A worker that holds nothing but the points and places it read before."""
    for store in caches.stores():
        if store.forget is not None and store.name != "places":
            store.forget()
    cache.clear()


def test_kept_split_points_are_caught_up_after_votes(client, cast, divided, monkeypatch):
    """The split points kept in the process are read again only where votes moved them:
    after each round of votes, the page equals the whole structure's."""
    rng = random.Random(3)
    crowd = [UserFactory() for _ in range(8)]
    caught_up = []
    real_sql = places._points_sql

    def spied(where, *, since: bool) -> str:
        caught_up.append(since)
        return real_sql(where, since=since)

    monkeypatch.setattr(places, "_points_sql", spied)
    _cold()
    for _round in range(5):
        divided.refresh_from_db()
        debate_structure(divided)  # a worker caught up and stored the strengths
        whole = _get(client, cast.anonymous, divided, panel=False)
        _cold_but_the_places()
        with monkeypatch.context() as patched:
            patched.setattr(loader, "_load_structure", _no_whole_load)
            assert _get(client, cast.anonymous, divided, panel=False) == whole
        points = list(Relation.objects.filter(debate=divided, is_link=False, is_hidden=False))
        for point in rng.sample(points, 3):
            _voted(point, [rng.choice([0, 4]) for _ in crowd], rng.sample(crowd, 6))
    assert caught_up == [False, True, True, True, True], "read once, then caught up"
