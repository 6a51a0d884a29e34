"""Regression tests for the second security review (issue 27), one (or more) per finding, each
named after the attack it stops. The LTI service-address finding (1, high) is in
test_lti_platform.py, beside the platform it needs. docs/SECURITY.md lists them all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Debate

pytestmark = [pytest.mark.django_db, pytest.mark.security]


# Finding 2: guided voting peeked through one's own perspective --------------------------------


def votes_block(page: str, point: str) -> str:
    return page.split(f'id="votes-{point}"')[1].split("</div>")[0]


def test_guided_voting_is_not_peeked_through_a_perspective_of_ones_own(
    client, cast, debate, thesis, pro
):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.editor, point=relation, value=0)
    Debate.objects.filter(pk=debate.pk).update(hide_votes_until_voted=True)
    client.force_login(cast.viewer)
    made = client.post(
        reverse("arguments:perspective_create", args=[debate.slug]), {"name": "a peeker"}
    )
    assert made.status_code == 302  # the viewer now votes as "a peeker"
    vote = reverse("arguments:claim_vote", args=[debate.slug, pro.pk])
    assert client.post(vote, {"value": "4"}).status_code == 302
    page = client.get(debate.get_absolute_url()).content.decode()
    block = votes_block(page, f"r{relation.pk}")
    assert "Strength" not in block and "vote to see how others voted" in block
    assert "2 votes" not in page
    why = reverse("arguments:claim_why", args=[debate.slug, pro.pk])
    assert client.get(why).status_code == 404
    # Voting as oneself shows them, as before.
    client.post(reverse("arguments:perspective_voting_as", args=[debate.slug]), {"perspective": ""})
    assert client.post(vote, {"value": "3"}).status_code == 302
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Strength" in votes_block(page, f"r{relation.pk}")
    assert client.get(why).status_code == 200
