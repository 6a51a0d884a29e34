"""A vote changes tallies and strengths, never the structure: no reader reloads the debate for
it, every reader sees it on their next request, and strengths stay what a full re-scoring
would give."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Relation, Stance
from arguments.structure.loader import claim_strengths, debate_structure, forget_structures
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


def vote_url(claim: Claim) -> str:
    return reverse("arguments:claim_vote", kwargs={"slug": claim.debate.slug, "pk": claim.pk})


def test_a_vote_moves_the_tally_version_not_the_structure_version(cast, debate, pro):
    point = pro.parent_relations.get()
    before = fresh(debate)
    services.vote_cast(user=cast.viewer, point=point, value=3)
    after = fresh(debate)
    assert after.structure_version == before.structure_version
    assert after.tally_version == before.tally_version + 1
    point.refresh_from_db()
    assert point.tallied_in == after.tally_version
    services.vote_withdraw(user=cast.viewer, point=point)
    assert fresh(debate).tally_version == before.tally_version + 2
    assert fresh(debate).structure_version == before.structure_version


@pytest.mark.parametrize("size", [10, 2000])
def test_after_someone_votes_a_visitor_page_reads_only_the_points_voted_on(
    client, django_assert_num_queries, size
):
    debate = build_debate(size, slug=f"after-vote-{size}")
    claim = debate.claims.order_by("id")[1]
    held = debate_structure(fresh(debate))
    assert client.get(debate.get_absolute_url()).status_code == 200  # warm: the tree's HTML
    voter = client.__class__()
    voter.force_login(UserFactory())
    assert voter.post(vote_url(claim), {"value": "4"}, **HTMX).status_code == 200
    # The kept visitor page's state (a miss: the tallies moved), the debate row, the points
    # voted on since (relations and theses, one query), and, as the first process to catch
    # up, the stored strengths' stamp and the rescored claims' strengths
    # (structure/stored_strengths.py):
    # no reload of the debate (4 queries over every row). If this grows, say why here.
    with django_assert_num_queries(5):
        page = client.get(debate.get_absolute_url()).content.decode()
    assert debate_structure(fresh(debate)) is held
    assert "1 vote" in page
    point = claim.parent_relations.get(is_link=False)
    edge = next(e for e in held.children[point.parent_id] if e.id == point.pk)
    assert edge.tally == (0, 0, 0, 0, 1)


def test_a_vote_through_the_page_shows_in_the_tally_and_strength_for_the_next_visitor(
    client, cast, debate, thesis, pro
):
    url = debate.get_absolute_url()
    client.get(url)  # a visitor read it before the vote
    structure = debate_structure(fresh(debate))
    before = structure.strength[thesis.pk]
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    client.get(url)
    # The pro's base went from 0.5 to 1, so it now lifts the thesis further.
    assert structure.strength[pro.pk] == pytest.approx(1.0)
    assert structure.strength[thesis.pk] > before
    forget_structures()
    assert debate_structure(fresh(debate)).strength[thesis.pk] == pytest.approx(
        structure.strength[thesis.pk]
    )


def _close_a_cycle(debate: Debate) -> None:
    """Two claims under the thesis attacking each other through links, and a third linked
    under one of them, so strength needs its fixpoint there."""
    claims = list(debate.claims.filter(is_thesis=False).order_by("id")[:3])
    a, b, c = claims
    for parent, child in ((a, b), (b, a), (b, c)):
        Relation.objects.get_or_create(
            debate=debate,
            parent=parent,
            child=child,
            defaults={"stance": Stance.CON, "is_link": True, "position": 99},
        )
    Debate.objects.filter(pk=debate.pk).update(structure_version=debate.structure_version + 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_strengths_equal_a_full_rescoring(seed):
    debate = build_debate(300, slug=f"rescore-{seed}")
    _close_a_cycle(debate)
    held = debate_structure(fresh(debate))
    rng = random.Random(seed)
    voters = [UserFactory() for _ in range(4)]
    points: list[Relation | Claim] = list(Relation.objects.filter(debate=debate))
    points.append(debate.claims.get(is_thesis=True))
    for _ in range(60):
        point = rng.choice(points)
        point.refresh_from_db()
        services.vote_cast(user=rng.choice(voters), point=point, value=rng.randint(0, 4))
        if rng.random() < 0.3:  # readers catch up now and then, not after every vote
            assert debate_structure(fresh(debate)) is held
    assert debate_structure(fresh(debate)) is held
    forget_structures()
    reloaded = debate_structure(fresh(debate))
    assert held.base == pytest.approx(reloaded.base)
    assert held.strength == pytest.approx(reloaded.strength, abs=1e-7)
    assert held.strength.keys() == reloaded.strength.keys()
    # And the reloaded one is itself what scoring the whole debate gives.
    assert claim_strengths(reloaded)[1] == pytest.approx(reloaded.strength)


def test_why_reads_only_the_claims_own_pros_and_cons_and_says_what_a_full_scan_says():
    from arguments.structure import scoring

    debate = build_debate(200, slug="why-local")
    _close_a_cycle(debate)
    structure = debate_structure(fresh(debate))
    every_edge = structure.strength_edges()
    for claim_id in structure.nodes:
        if claim_id not in structure.strength:
            continue
        whole_scan = [e for e in every_edge if e[0] == claim_id]
        expected = scoring.explain(claim_id, structure.base, whole_scan, structure.strength)
        assert structure.explain(claim_id) == expected
