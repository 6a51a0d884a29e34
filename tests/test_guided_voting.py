"""Guided voting (issue 37, part 2): the reader's unrated claims, level by level, one at a
time, voted or skipped with one click, with and without htmx; a summary at the end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Debate, Stance, Vote
from arguments.reading.guided import next_step, walk
from arguments.reading.lens import Lens

pytestmark = pytest.mark.django_db


def url(debate: Debate) -> str:
    return reverse("arguments:guided_voting", args=[debate.slug])


@pytest.fixture
def tree(cast, debate, thesis, pro, con):
    """thesis → pro, con; pro → a pro beneath it (level 2); a hidden con (not on the walk)."""
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="Deeper.")
    hidden = services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Gone.")
    services.claim_hide(actor=cast.moderator, claim=hidden)
    return thesis, pro, con, deep


def test_the_walk_goes_level_by_level_and_leaves_out_what_the_reader_cannot_rate(cast, tree):
    thesis, pro, con, deep = tree
    lens = Lens.of(thesis.debate, cast.viewer)
    assert walk(lens) == [(thesis.pk, 0), (pro.pk, 1), (con.pk, 1), (deep.pk, 2)]
    services.vote_cast(user=cast.viewer, point=thesis, value=3)
    step = next_step(Lens.of(thesis.debate, cast.viewer), set())
    assert step is not None and step.claim_id == pro.pk and step.parent_id == thesis.pk
    assert step.left == 3


def test_without_javascript_every_claim_is_rated_and_the_walk_ends_with_a_summary(
    client, cast, tree
):
    thesis, pro, con, deep = tree
    debate = thesis.debate
    client.force_login(cast.viewer)
    page = client.get(url(debate)).content.decode()
    assert thesis.text in page and "4 claims left to rate" in page
    for claim, value in ((thesis, 4), (pro, 3), (con, 1)):
        answer = client.post(url(debate), {"claim": claim.pk, "value": value})
        assert answer.status_code == 302 and answer["Location"] == url(debate)
    page = client.get(url(debate)).content.decode()
    assert "Deeper." in page and "Open weights spread access." in page  # its parent in view
    client.post(url(debate), {"claim": deep.pk, "skip": "1"})
    page = client.get(url(debate)).content.decode()
    assert "You have rated 3 of the 4 claims" in page and "skipped 1" in page
    client.post(url(debate), {"restart": "1"})
    client.post(url(debate), {"claim": deep.pk, "value": 2})
    page = client.get(url(debate)).content.decode()
    assert "You have rated 4 of the 4 claims" in page
    assert Vote.objects.filter(user=cast.viewer).count() == 4


def test_with_htmx_the_walk_region_is_swapped(client, cast, tree):
    thesis, pro, _con, _deep = tree
    client.force_login(cast.viewer)
    answer = client.post(
        url(thesis.debate), {"claim": thesis.pk, "value": 2}, headers={"HX-Request": "true"}
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in body and 'id="walk"' in body
    assert pro.text in body and "3 claims left" in body
    wrong = client.post(
        url(thesis.debate), {"claim": pro.pk, "value": "9"}, headers={"HX-Request": "true"}
    )
    assert wrong.status_code == 422 and "<html" not in wrong.content.decode()


def test_visitors_sign_in_first_and_nobody_rates_what_they_cannot_see(client, cast, tree):
    thesis, *_ = tree
    debate = thesis.debate
    answer = client.get(url(debate))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert client.post(url(debate), {"claim": thesis.pk, "value": 1}).status_code == 403
    client.force_login(cast.viewer)
    hidden = debate.claims.get(text="Gone.")
    assert client.post(url(debate), {"claim": hidden.pk, "value": 1}).status_code == 404
    services.debate_configure(actor=cast.owner, debate=debate, voting_enabled=False)
    assert client.get(url(debate)).status_code == 403


def test_a_private_debate_walk_is_a_404_to_outsiders(client, cast):
    debate = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A thesis.", visibility="private"
    )
    client.force_login(cast.stranger)
    assert client.get(url(debate)).status_code == 404
    post = client.post(url(debate), {"claim": debate.claims.get().pk, "value": 1})
    assert post.status_code == 404 and not Vote.objects.exists()
