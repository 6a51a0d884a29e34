"""The activity table, its CSV, the participation grades and the API's activity "as of" a
snapshot (issue 32): counted over what the version holds and what was done by then, so
later activity does not change them; for the owner and moderators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Stance
from arguments.reading.activity import activity_of, as_of
from arguments.services.grades import participation_by_user
from arguments.services.snapshots import debate_freeze

pytestmark = pytest.mark.django_db


def figures(debate, at):
    return {
        row.username: (row.claims, row.sources, row.votes, row.notes, row.flags_received)
        for row in activity_of(debate, at)
        if row.total or row.flags_received
    }


def test_activity_as_of_a_version_does_not_move_with_later_activity(client, cast, debate, pro):
    thesis = debate.claims.get(is_thesis=True)
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=3)
    services.annotation_add(actor=cast.viewer, claim=pro, body="Which weights?")
    debate_freeze(actor=cast.owner, debate=debate)
    at = as_of(debate, 1)
    client.force_login(cast.owner)
    csv_url = reverse("arguments:debate_activity_csv", args=[debate.slug])
    page_url = reverse("arguments:debate_activity", args=[debate.slug])
    csv_before = client.get(csv_url, {"as_of": 1}).content
    page_before = client.get(page_url, {"as_of": 1})
    assert page_before.status_code == 200 and b"As of version 1" in page_before.content
    ids = [cast.writer.pk, cast.viewer.pk, cast.owner.pk]
    grades_before = participation_by_user(debate, ids, at)
    before = figures(debate, at)
    assert before["wren"][:1] == (1,) and before["vic"] == (0, 0, 1, 1, 0)

    # Later: more claims, votes (new and changed), notes, a flag, the frozen pro hidden.
    later = services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Later.")
    services.vote_cast(user=cast.viewer, point=later.parent_relations.get(), value=1)
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=0)
    services.annotation_add(actor=cast.viewer, claim=later, body="And this?")
    services.claim_hide(actor=cast.moderator, claim=pro)

    assert figures(debate, at) == before
    assert client.get(csv_url, {"as_of": 1}).content == csv_before
    assert participation_by_user(debate, ids, at) == grades_before
    now = figures(debate, None)
    assert now["vic"][2] == 2 and now != before  # the living table moved


def test_the_api_counts_activity_as_of_a_version(client, cast, debate, pro):
    debate_freeze(actor=cast.owner, debate=debate)
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="After.")
    token = services.token_create(actor=cast.moderator, name="t", scope="read")[1]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/debates/{debate.slug}/activity"
    then = {
        r["username"]: r["claims"] for r in client.get(url, {"as_of": 1}, headers=headers).json()
    }
    now = {r["username"]: r["claims"] for r in client.get(url, headers=headers).json()}
    assert then["wren"] == 1 and now["wren"] == 2
    assert client.get(url, {"as_of": 2}, headers=headers).status_code == 404


@pytest.mark.parametrize("persona", ["editor", "writer", "viewer", "stranger", "anonymous"])
def test_only_owner_and_moderators_read_activity_as_of_a_version(client, cast, debate, persona):
    debate_freeze(actor=cast.owner, debate=debate)
    if persona != "anonymous":
        client.force_login(cast[persona])
    for name in ("debate_activity", "debate_activity_csv"):
        response = client.get(reverse(f"arguments:{name}", args=[debate.slug]), {"as_of": 1})
        assert response.status_code in (302, 403, 404), (name, response.status_code)
        assert b"activity-table" not in response.content
    page = client.get(reverse("arguments:snapshot", args=[debate.slug, 1])).content
    assert b"as of this version" not in page


@pytest.mark.parametrize(("raw", "status"), [("x", 400), ("-1", 400), ("2", 404), ("9" * 12, 400)])
def test_a_bad_as_of_is_a_clear_error(client, cast, debate, raw, status):
    debate_freeze(actor=cast.owner, debate=debate)
    client.force_login(cast.moderator)
    for name in ("debate_activity", "debate_activity_csv"):
        response = client.get(reverse(f"arguments:{name}", args=[debate.slug]), {"as_of": raw})
        assert response.status_code == status, name
    page = client.get(reverse("arguments:snapshot", args=[debate.slug, 1])).content
    assert b"Activity and grades as of this version" in page
