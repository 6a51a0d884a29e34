"""Regression tests for the second security review (issue 27), one (or more) per finding, each
named after the attack it stops. The LTI service-address finding (1, high) is in
test_lti_platform.py, beside the platform it needs. docs/SECURITY.md lists them all."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Debate, Membership, Role

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


# Finding 3: a removed moderator back in through their own share link --------------------------


@pytest.mark.parametrize("how", ["removed", "demoted"])
def test_a_removed_moderator_cannot_get_back_in_through_their_own_share_link(
    client, cast, debate, thesis, pro, how
):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    debate.refresh_from_db()
    link = services.share_link_create(actor=cast.moderator, debate=debate, role="editor")
    owners = services.share_link_create(actor=cast.owner, debate=debate, role="writer")
    membership = Membership.objects.get(debate=debate, user=cast.moderator)
    if how == "removed":
        services.membership_revoke(actor=cast.owner, membership=membership)
    else:
        services.membership_grant(
            actor=cast.owner, debate=debate, user=cast.moderator, role="writer"
        )
    for person in (cast.moderator, cast.stranger):
        client.force_login(person)
        opened = client.get(link.get_absolute_url())
        assert opened.status_code == 410
        assert "the person who made it can no longer invite" in opened.content.decode()
        assert client.post(link.get_absolute_url()).status_code == 410
        with pytest.raises(ValidationError, match="no longer invite"):
            services.share_link_join(user=person, link=link)
    moderator_role = Membership.objects.filter(debate=debate, user=cast.moderator)
    assert list(moderator_role.values_list("role", flat=True)) == (
        [Role.WRITER] if how == "demoted" else []
    )
    assert not Membership.objects.filter(debate=debate, user=cast.stranger).exists()
    # The share page tells its managers why; the owner's own link still works.
    client.force_login(cast.owner)
    page = client.get(reverse("arguments:share_links", args=[debate.slug])).content.decode()
    assert page.count("the person who made it can no longer invite") == 1
    client.force_login(cast.stranger)
    assert client.post(owners.get_absolute_url()).status_code == 302
    assert Membership.objects.get(debate=debate, user=cast.stranger).role == Role.WRITER
