"""A worker holding nothing of a debate brings the stored strengths up to date after votes
without loading the debate (arguments/structure/stored_catch_up.py): the stored values end
exactly those a whole load computes, the pages it then reads from slices are the pages the
whole structure gives, and a write since the stamp still loads the debate whole."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Relation, Stance
from arguments.structure import first_screen, loader, stored_catch_up, stored_strengths
from arguments.structure.loader import debate_structure, holds
from tests.conftest import build_debate
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold, _page, argued
from tests.test_stored_strengths import _assert_current, _fresh, _stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("too_big_to_hold")]

argued = argued  # every kind of row: pending and hidden claims, links, votes, sources, notes


def _no_whole_load(monkeypatch) -> None:
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))


def _points(debate: Debate) -> list[Relation | Claim]:
    """Every point a vote can be cast on: the theses and every standing place, links too."""
    theses = list(Claim.objects.filter(debate=debate, is_thesis=True))
    places = list(Relation.objects.filter(debate=debate, is_hidden=False).select_related("child"))
    return [*theses, *places]


def _random_votes(rng: random.Random, cast, debate: Debate, count: int) -> None:
    points = _points(debate)
    voters = [cast.writer, cast.editor, cast.viewer, cast.owner, cast.moderator]
    for _ in range(count):
        point = rng.choice(points)
        claim = point if isinstance(point, Claim) else point.child
        if claim.status != Claim.Status.PUBLISHED:
            continue
        services.vote_cast(user=rng.choice(voters), point=point, value=rng.randrange(5))


def test_votes_since_the_stamp_are_caught_up_without_the_debate(cast, argued, monkeypatch):
    debate_structure(argued)  # a worker held it once: every strength stored
    rng = random.Random(35)
    for _round in range(6):
        _random_votes(rng, cast, argued, rng.randrange(1, 6))
        _cold()
        with monkeypatch.context() as patched:
            _no_whole_load(patched)
            assert stored_catch_up.after_votes(_fresh(argued))
        _assert_current(argued)  # every stored strength as a fresh whole load computes it


def test_a_cycle_through_links_is_caught_up_as_the_whole_load_scores_it(cast, debate, pro, con):
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Beneath.")
    # The con of the pro linked under the con, the con linked under it: a cycle.
    services.claim_link(actor=cast.writer, claim=deep, parent=con, stance=Stance.PRO)
    services.claim_link(actor=cast.writer, claim=con, parent=deep, stance=Stance.CON)
    debate_structure(_fresh(debate))
    for value, user in enumerate([cast.writer, cast.editor, cast.viewer]):
        services.vote_cast(user=user, point=deep.parent_relations.get(is_link=False), value=value)
        services.vote_cast(user=user, point=con.parent_relations.get(is_link=False), value=4)
    _cold()
    assert stored_catch_up.after_votes(_fresh(debate))
    _assert_current(debate)


def test_a_link_places_votes_move_no_strength_and_store_nothing_new(cast, argued):
    debate_structure(argued)
    before = dict(
        Claim.objects.filter(debate=argued).values_list("id", "stored_strength__strength")
    )
    link = Relation.objects.filter(debate=argued, is_link=True, is_hidden=False).first()
    services.vote_cast(user=cast.writer, point=link, value=4)
    _cold()
    assert stored_catch_up.after_votes(_fresh(argued))
    _assert_current(argued)
    assert _stored(argued) == before


def test_the_pages_after_votes_are_the_whole_structures(client, cast, argued, monkeypatch):
    rng = random.Random(7)
    for persona in ["anonymous", "writer", "moderator"]:
        debate_structure(argued)
        _random_votes(rng, cast, argued, 3)
        _cold()
        with monkeypatch.context() as patched:
            _no_whole_load(patched)
            sliced = _page(client, cast[persona], _fresh(argued))
        assert not holds(argued)
        _cold()
        debate_structure(_fresh(argued))  # a worker holding the debate, caught up
        whole = _page(client, cast[persona], _fresh(argued))
        assert sliced == whole, persona


@pytest.mark.parametrize("size", [10, 2000])
def test_a_visitors_page_after_a_vote_reads_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, owner=cast.owner, slug=f"voted-{size}")
    debate_structure(debate)
    deep = Relation.objects.filter(debate=debate, is_link=False).order_by("-id").first()
    services.vote_cast(user=cast.writer, point=deep, value=4)
    _cold()
    _no_whole_load(monkeypatch)
    # The kept page's state, the debate; the catch-up: its snapshot's versions, the claims
    # voted on and above them, their bases, what is beneath them, then the store (the stamp
    # moved, the strengths upserted: counted once a claim re-scored, the voted claim and those
    # above it, three or four here); the slice (the versions, the theses, the relations
    # beneath, the claims). If this grows, say why.
    with django_assert_max_num_queries(16):
        assert client.get(debate.get_absolute_url()).status_code == 200
    _assert_current(debate)


def test_a_write_since_the_stamp_is_not_caught_up_here(cast, argued, pro):
    debate_structure(argued)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=0)
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Since.")
    _cold()
    assert not stored_catch_up.after_votes(_fresh(argued))
    assert stored_strengths.stamp_of(_fresh(argued)) != (
        _fresh(argued).structure_version,
        _fresh(argued).tally_version,
    )


def test_a_second_worker_reads_the_first_ones_store(cast, argued, pro, monkeypatch):
    debate_structure(argued)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=0)
    _cold()
    row = _fresh(argued)  # both workers read the debate's row before either stored
    stored = []
    real = stored_strengths.store_rescored

    def counted(*args, **kwargs):
        stored.append(real(*args, **kwargs))
        return stored[-1]

    monkeypatch.setattr(stored_strengths, "store_rescored", counted)
    assert stored_catch_up.after_votes(row)
    assert stored_catch_up.after_votes(row)  # the stamp moved meanwhile: no second store
    assert stored == [True]
    _assert_current(argued)


def test_the_focus_page_and_map_after_a_vote_read_slices(client, cast, argued, pro, monkeypatch):
    debate_structure(argued)
    services.vote_cast(user=cast.editor, point=pro.parent_relations.get(), value=1)
    _cold()
    _no_whole_load(monkeypatch)
    focus = reverse("arguments:claim", args=[argued.slug, pro.pk])
    assert client.get(focus).status_code == 200
    _cold()
    assert client.get(reverse("arguments:debate_map", args=[argued.slug])).status_code == 200
    assert not holds(argued)


def _vote(
    client, user, debate: Debate, claim_id: int, value: int, relation: int | None
) -> tuple[int, str]:
    client.force_login(user)
    url = reverse("arguments:claim_vote", args=[debate.slug, claim_id])
    data = {"value": value, **({"relation": relation} if relation else {})}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))


def test_a_vote_in_a_worker_holding_nothing_answers_as_a_worker_holding_it(
    client, cast, argued, monkeypatch
):
    points = [p for p in _points(argued) if not (isinstance(p, Relation) and p.is_link)]
    answered: list[int] = []
    for point in points:
        claim = point if isinstance(point, Claim) else point.child
        if claim.status != Claim.Status.PUBLISHED:
            continue
        relation = None if isinstance(point, Claim) else point.pk
        debate_structure(_fresh(argued))
        _cold()
        with monkeypatch.context() as patched:
            _no_whole_load(patched)
            cold = _vote(client, cast.editor, argued, claim.pk, 3, relation)
            assert stored_catch_up.after_votes(_fresh(argued))
        _cold()
        debate_structure(_fresh(argued))
        held = _vote(client, cast.editor, argued, claim.pk, 3, relation)  # the same vote
        assert cold == held, f"claim {claim.pk}, relation {relation}"
        answered.append(cold[0])
        _assert_current(argued)
    assert answered.count(200) >= 5 and 404 in answered  # a claim under a hidden one: unseen


def test_a_vote_on_a_link_place_in_a_worker_holding_nothing(client, cast, argued):
    link = Relation.objects.filter(debate=argued, is_link=True, child__status="published").first()
    _cold()
    status, html = _vote(client, cast.editor, argued, link.child_id, 4, link.pk)
    assert (
        status == 200 and f'value="{link.pk}"' in html
    )  # the answer is the link's place, not the original


@pytest.mark.parametrize("write", [False, True])
def test_a_store_lost_to_another_process_is_tried_again(cast, argued, pro, write, monkeypatch):
    """Two workers bring the copy up to date at once (a vote's catch-up from an older row
    while a write commits, found by the 200,000-claim load test): the one whose store lost
    reads the stamps again and catches up from there, instead of loading the debate whole."""
    debate_structure(argued)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=0)
    if write:
        services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Raced.")
    _cold()
    calls = []
    real = stored_strengths.store_rescored

    def lost_once(*args, **kwargs):
        calls.append(1)
        return len(calls) > 1 and real(*args, **kwargs)

    monkeypatch.setattr(stored_strengths, "store_rescored", lost_once)
    _no_whole_load(monkeypatch)
    assert first_screen.reads_slices(_fresh(argued))
    assert len(calls) == 2
    _assert_current(argued)


def test_a_write_after_the_row_was_read_is_caught_up_too(cast, argued, pro, monkeypatch):
    """A reader's row shows votes since the stamp; a claim is written before its catch-up
    reads: votes alone no longer describe the change, and the writes' catch-up takes it
    (found by the 200,000-claim load test: the reader loaded the debate whole)."""
    debate_structure(argued)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=0)
    row = _fresh(argued)
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Meanwhile.")
    _cold()
    _no_whole_load(monkeypatch)
    assert first_screen.reads_slices(row)
    _assert_current(argued)
