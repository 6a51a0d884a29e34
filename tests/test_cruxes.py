"""The crux finder (issue 19): points with enough votes, ranked by how split they are, through
the reader's lens (hidden claims and guided voting's hidden votes never shown)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.explore import cruxes
from arguments.models import Claim, Debate, Relation, Stance
from arguments.reading.lens import Lens
from arguments.views.explore import CRUX_PAGE_ROWS
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("tally", "expected"),
    [
        ((3, 0, 0, 0, 3), 1.0),  # half at each end
        ((3, 0, 0, 0, 1), 0.75),  # three to one between the ends: 4p(1-p)
        ((1, 1, 1, 1, 1), 0.5),  # spread evenly
        ((0, 0, 5, 0, 0), 0.0),  # everyone agrees
        ((0, 0, 0, 0, 0), 0.0),  # nobody voted
        ((0, 3, 0, 3, 0), 0.25),  # one step either side of the middle
    ],
)
def test_polarization_reads_how_split_a_tally_is(tally, expected):
    assert cruxes.polarization(tally) == pytest.approx(expected)


def _voted(debate: Debate, point: Relation | Claim, values: list[int]) -> None:
    for value in values:
        services.vote_cast(user=UserFactory(), point=point, value=value)


def _claim(debate: Debate, parent: Claim, text: str, cast) -> tuple[Claim, Relation]:
    claim = services.claim_add(actor=cast.writer, parent=parent, stance=Stance.PRO, text=text)
    return claim, Relation.objects.get(child=claim, is_link=False)


@pytest.fixture
def split_room(debate, thesis, cast):
    """A thesis and five pros whose votes are known: two cruxes, ranked, and three not."""
    claims = {}
    for name, values in {
        "split": [0, 0, 0, 4, 4, 4],  # half at each end: 100%
        "spread": [0, 1, 3, 4, 4],  # 66%
        "agreed": [2, 2, 2, 3, 2],  # a small spread: no crux
        "few": [0, 4, 0, 4],  # split, but only four votes
        "hidden": [0, 0, 0, 4, 4, 4],  # split, then hidden by a moderator
    }.items():
        claims[name], relation = _claim(debate, thesis, f"The {name} claim.", cast)
        _voted(debate, relation, values)
    _voted(debate, thesis, [1, 3, 1, 3, 2])  # 20%: no crux
    services.claim_hide(actor=cast.moderator, claim=claims["hidden"])
    return claims


def _crux_ids(debate: Debate, user) -> list[int]:
    fresh = Debate.objects.get(pk=debate.pk)
    return [c.item.node.id for c in cruxes.cruxes_of(Lens.of(fresh, user), limit=10).shown]


def test_cruxes_are_the_split_points_with_enough_votes_most_divided_first(split_room, cast):
    expected = [split_room["split"].pk, split_room["spread"].pk]
    assert _crux_ids(split_room["split"].debate, cast.anonymous) == expected
    # A moderator sees the hidden claim in the tree, but it is no crux: nobody can vote on it.
    assert _crux_ids(split_room["split"].debate, cast.moderator) == expected


def test_the_cruxes_page_shows_each_crux_with_its_distribution(client, split_room, debate):
    response = client.get(reverse("arguments:debate_cruxes", args=[debate.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("The split claim.") < body.index("The spread claim.")
    assert "Split 100%" in body and "Split 66%" in body
    assert "The agreed claim." not in body and "The few claim." not in body
    assert "The hidden claim." not in body
    assert '<progress max="6" value="3">' in body  # three of six votes at each end
    assert 'aria-label="How people voted on its impact"' in body


def test_the_debate_page_links_to_the_cruxes_and_loads_the_panel_with_htmx(
    client, split_room, debate
):
    page = client.get(debate.get_absolute_url()).content.decode()
    url = reverse("arguments:debate_cruxes", args=[debate.slug])
    assert f'href="{url}"' in page  # without JavaScript, a link
    assert f'hx-get="{url}?part=panel"' in page
    fragment = client.get(url, {"part": "panel"}, **HTMX)
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b"The split claim." in fragment.content
    assert "HX-Request" in fragment["Vary"]


def test_the_panel_shows_the_first_three_and_says_how_many_more(client, debate, thesis, cast):
    for n in range(5):
        _, relation = _claim(debate, thesis, f"Divisive claim {n}.", cast)
        _voted(debate, relation, [0, 0, 4, 4, 4 - (n % 3)])
    url = reverse("arguments:debate_cruxes", args=[debate.slug])
    fragment = client.get(url, {"part": "panel"}, **HTMX).content.decode()
    assert fragment.count('class="crux ') == 3
    assert "2 more cruxes" in fragment


def test_guided_voting_shows_a_cruxs_votes_only_to_who_voted_on_it(client, split_room, cast):
    debate = split_room["split"].debate
    debate.hide_votes_until_voted = True
    debate.save()
    assert _crux_ids(debate, cast.anonymous) == []
    assert _crux_ids(debate, cast.viewer) == []
    spread = Relation.objects.get(child=split_room["spread"], is_link=False)
    services.vote_cast(user=cast.viewer, point=spread, value=2)
    assert _crux_ids(debate, cast.viewer) == [split_room["spread"].pk]
    client.force_login(cast.writer)
    body = client.get(reverse("arguments:debate_cruxes", args=[debate.slug])).content.decode()
    assert "The split claim." not in body and "votes only once you have voted" in body


def test_a_private_debates_cruxes_are_a_404_to_a_stranger(client, cast, split_room):
    debate = split_room["split"].debate
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    url = reverse("arguments:debate_cruxes", args=[debate.slug])
    assert client.get(url).status_code == 404
    client.force_login(cast.stranger)
    assert client.get(url).status_code == 404
    client.force_login(cast.viewer)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [10, 2000])
def test_the_cruxes_cost_the_same_queries_on_a_small_and_a_large_debate(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size)
    Relation.objects.filter(debate=debate).update(votes_0=3, votes_4=3)  # every point a crux
    client.force_login(debate.owner)
    url = reverse("arguments:debate_cruxes", args=[debate.slug])
    client.get(url)  # the structure loaded once, as any page of the debate does
    # The budget: session and user (2), debate and membership (2), my votes (1); the rest is
    # read from the structure every page shares. Whoever changes it explains why.
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count('class="crux ') == min(size - 1, CRUX_PAGE_ROWS)
    with django_assert_max_num_queries(5):
        assert client.get(url, {"part": "panel"}, **HTMX).status_code == 200


def test_a_point_becomes_a_crux_with_the_vote_that_splits_it(debate, thesis, cast):
    claim, relation = _claim(debate, thesis, "Nearly split.", cast)
    _voted(debate, relation, [0, 0, 4, 4])
    assert _crux_ids(debate, cast.anonymous) == []  # four votes: too few
    _voted(debate, relation, [4])
    assert _crux_ids(debate, cast.anonymous) == [claim.pk]


def test_the_page_comes_in_pages_each_the_next_of_the_ranking(
    client, debate, thesis, cast, monkeypatch
):
    """Pages of `CRUX_PAGE_ROWS` (two here): page 2 holds the third and fourth cruxes of the
    whole ranking, numbered on, with links back and on; a page past the end says so; a page
    that is no number is a 400."""
    from arguments.views import explore as explore_views

    monkeypatch.setattr(explore_views, "CRUX_PAGE_ROWS", 2)
    for n in range(5):
        _, relation = _claim(debate, thesis, f"Divisive claim {n}.", cast)
        _voted(debate, relation, [0, 0, 4, 4, 4 - (n % 3)])
    whole = cruxes.cruxes_of(Lens.of(_fresh(debate), cast.anonymous), limit=5)
    ranked = [crux.item.node.text for crux in whole.shown]
    url = reverse("arguments:debate_cruxes", args=[debate.slug])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    last = client.get(url, {"page": "3"}).content.decode()
    assert [text in first for text in ranked] == [True, True, False, False, False]
    assert [text in second for text in ranked] == [False, False, True, True, False]
    assert [text in last for text in ranked] == [False, False, False, False, True]
    assert '<ol class="cruxes" start="3">' in second
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="?page=1"' in second and 'rel="next" href="?page=3"' in second
    assert 'rel="next"' not in last
    beyond = client.get(url, {"page": "9"}).content.decode()
    assert 'class="crux ' not in beyond and "Back to the most divided" in beyond
    assert client.get(url, {"page": "two"}).status_code == 400
    assert client.get(url, {"page": "0"}).status_code == 400


def _fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)  # as a request reads it: its current versions
