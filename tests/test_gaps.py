"""The gaps view (issue 19): claims without a source, without an answer, with few votes, and
suggestions waiting for a moderator, each with the act that fills it, through the lens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.explore import gaps
from arguments.models import Debate, Relation, Stance
from arguments.reading.lens import Lens
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shape(debate, thesis, cast):
    """thesis ─ sourced (cited, answered, 3 votes) ─ answer (con: nothing)
    └ bare (pro: no source, no answer, 3 votes)
    └ suggestion (pending, by the suggester)"""
    sourced = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="A sourced claim."
    )
    services.source_cite(actor=cast.writer, claim=sourced, url="https://example.org/report")
    answer = services.claim_add(
        actor=cast.writer, parent=sourced, stance=Stance.CON, text="An answer nobody answered."
    )
    bare = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="A bare claim."
    )
    for claim in (sourced, bare):
        relation = Relation.objects.get(child=claim, is_link=False)
        for _ in range(gaps.FEW_VOTES):
            services.vote_cast(user=UserFactory(), point=relation, value=3)
    suggestion = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion to review."
    )
    return {"thesis": thesis, "sourced": sourced, "answer": answer, "bare": bare,
            "suggestion": suggestion}  # fmt: skip


def _gaps(debate: Debate, user) -> gaps.Gaps:
    return gaps.gaps_of(Lens.of(Debate.objects.get(pk=debate.pk), user), limit=10)


def _ids(gap: gaps.Gap) -> list[int]:
    return [item.node.id for item in gap.shown]


def test_each_kind_of_gap_lists_its_claims_closest_to_a_thesis_first(shape, debate, cast):
    found = _gaps(debate, cast.writer)
    t, bare, answer = shape["thesis"].pk, shape["bare"].pk, shape["answer"].pk
    assert _ids(found.unsourced) == [t, bare, answer]
    assert _ids(found.unanswered) == [bare, answer]
    assert _ids(found.few_votes) == [t, answer]
    assert _ids(found.pending) == []  # the suggestion waits for a moderator, not a writer


def test_a_point_i_voted_on_no_longer_needs_my_vote(shape, debate, cast):
    services.vote_cast(user=cast.writer, point=shape["thesis"], value=4)
    assert _ids(_gaps(debate, cast.writer).few_votes) == [shape["answer"].pk]
    assert _ids(_gaps(debate, cast.editor).few_votes) == [shape["thesis"].pk, shape["answer"].pk]


def test_a_moderator_sees_the_suggestions_waiting_for_review(shape, debate, cast):
    found = _gaps(debate, cast.moderator)
    assert _ids(found.pending) == [shape["suggestion"].pk]
    # Pending, it is no gap of any other kind: it is not in the debate yet.
    assert shape["suggestion"].pk not in _ids(found.unanswered) + _ids(found.unsourced)


def test_a_hidden_claim_and_what_it_holds_are_no_gaps(shape, debate, cast):
    services.claim_hide(actor=cast.moderator, claim=shape["sourced"])
    found = _gaps(debate, cast.writer)
    assert shape["answer"].pk not in _ids(found.unsourced) + _ids(found.unanswered)


def test_the_gaps_page_offers_the_act_that_fills_each_gap(client, shape, debate, cast):
    client.force_login(cast.writer)
    body = client.get(reverse("arguments:debate_gaps", args=[debate.slug])).content.decode()
    bare = shape["bare"].pk
    assert reverse("arguments:claim_cite", args=[debate.slug, bare]) in body  # Add source
    assert reverse("arguments:claim_add", args=[debate.slug, bare]) + "?stance=con" in body
    assert "A suggestion to review." not in body
    client.force_login(cast.moderator)
    body = client.get(reverse("arguments:debate_gaps", args=[debate.slug])).content.decode()
    assert "Waiting for review" in body and "A suggestion to review." in body
    assert ">Review</a>" in body


def test_a_reader_who_may_not_write_sees_the_gaps_without_their_acts(client, shape, debate, cast):
    client.force_login(cast.viewer)
    response = client.get(reverse("arguments:debate_gaps", args=[debate.slug]))
    body = response.content.decode()
    assert response.status_code == 200 and "A bare claim." in body
    assert "Add source" not in body and "Add con" not in body
    assert ">Vote</a>" in body  # a viewer may vote


def test_the_needs_you_panel_is_for_signed_in_writers(client, shape, debate, cast):
    panel = f'hx-get="{reverse("arguments:debate_gaps", args=[debate.slug])}?part=panel"'
    assert panel not in client.get(debate.get_absolute_url()).content.decode()  # a visitor
    client.force_login(cast.viewer)
    assert panel not in client.get(debate.get_absolute_url()).content.decode()
    client.force_login(cast.writer)
    assert panel in client.get(debate.get_absolute_url()).content.decode()
    fragment = client.get(
        reverse("arguments:debate_gaps", args=[debate.slug]), {"part": "panel"}, **HTMX
    )
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b"A bare claim." in fragment.content and "HX-Request" in fragment["Vary"]


def test_a_closed_debate_needs_nobody(client, shape, debate, cast):
    services.debate_lock(
        actor=cast.owner, debate=debate, status=Debate.Status.CLOSED, conclusion="Settled."
    )
    client.force_login(cast.writer)
    body = client.get(debate.get_absolute_url()).content.decode()
    assert "Needs you" not in body


def test_a_private_debates_gaps_are_a_404_to_a_stranger(client, shape, debate, cast):
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    url = reverse("arguments:debate_gaps", args=[debate.slug])
    assert client.get(url).status_code == 404
    client.force_login(cast.stranger)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("size", [10, 2000])
def test_the_gaps_cost_the_same_queries_on_a_small_and_a_large_debate(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size)
    client.force_login(debate.owner)
    url = reverse("arguments:debate_gaps", args=[debate.slug])
    client.get(url)  # the structure loaded once, as any page of the debate does
    # The budget: session and user (2), debate and membership (2), my votes (1); the rest is
    # read from the structure every page shares. Whoever changes it explains why.
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count('class="gap-claim"') <= 3 * 50
    with django_assert_max_num_queries(5):
        assert client.get(url, {"part": "panel"}, **HTMX).status_code == 200


def test_the_gaps_follow_a_new_claim_and_a_vote(shape, debate, cast):
    assert shape["bare"].pk in _ids(_gaps(debate, cast.editor).unanswered)
    services.claim_add(
        actor=cast.writer, parent=shape["bare"], stance=Stance.CON, text="An answer at last."
    )
    found = _gaps(debate, cast.editor)
    assert shape["bare"].pk not in _ids(found.unanswered)
    relation = Relation.objects.get(child=shape["answer"], is_link=False)
    for _ in range(gaps.FEW_VOTES):
        services.vote_cast(user=UserFactory(), point=relation, value=2)
    assert shape["answer"].pk not in _ids(_gaps(debate, cast.editor).few_votes)


def test_a_suggesters_own_waiting_claim_is_no_gap_and_hides_nothing_from_them(shape, debate, cast):
    found = _gaps(debate, cast.suggester)  # they see their suggestion; it is no gap
    assert shape["suggestion"].pk not in _ids(found.unanswered) + _ids(found.pending)
    assert _ids(found.unanswered) == _ids(_gaps(debate, cast.writer).unanswered)
