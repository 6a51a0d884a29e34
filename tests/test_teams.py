"""Teams and copies (issue 37, part 6, by hand): the owner makes teams, gives each its own
copy in one step through the task queue (claims, sources, settings; no votes or notes), and
compares the copies on the overview."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Annotation, Claim, Debate, Membership, Role, Stance, Team, Vote
from arguments.services.teams import team_copies_make, team_copy_run, team_create
from arguments.tasks.worker import run_all
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(cast, debate, thesis, pro):
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/audit")
    services.vote_cast(user=cast.viewer, point=thesis, value=4)
    services.annotation_add(actor=cast.viewer, claim=pro, body="A note stays behind.")
    return debate


def test_only_the_owner_makes_teams_and_copies(cast, template):
    for persona in ("moderator", "editor", "writer", "viewer", "stranger", "anonymous"):
        with pytest.raises(PermissionDenied):
            team_create(actor=cast[persona], debate=template, name="A", members=[cast.writer])
        with pytest.raises(PermissionDenied):
            team_copies_make(actor=cast[persona], debate=template)
    private = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A thesis.", visibility="private"
    )
    with pytest.raises(ValidationError):  # a stranger to the debate is no team member
        team_create(actor=cast.owner, debate=private, name="A", members=[cast.stranger])


def test_each_team_gets_its_copy_without_votes_or_notes(cast, template):
    students = [UserFactory(username=f"s{i}") for i in range(4)]
    for student in students:
        MembershipFactory(debate=template, user=student, role=Role.VIEWER)
    red = team_create(actor=cast.owner, debate=template, name="Red", members=students[:2])
    team_create(actor=cast.owner, debate=template, name="Blue", members=students[2:])
    assert team_copies_make(actor=cast.owner, debate=template) == 2
    run_all()
    red.refresh_from_db()
    assert red.status == Team.Status.DONE and red.copy is not None
    copy = red.copy
    assert copy.owner == cast.owner and copy.visibility == Debate.Visibility.PRIVATE
    assert sorted(copy.claims.values_list("text", flat=True)) == sorted(
        template.claims.values_list("text", flat=True)
    )
    assert copy.claims.get(is_thesis=True).votes_4 == 0
    assert not Vote.objects.filter(thesis__debate=copy).exists()
    assert not Annotation.objects.filter(claim__debate=copy).exists()
    assert Claim.objects.get(debate=copy, text="Open weights spread access.").citations.exists()
    roles = dict(Membership.objects.filter(debate=copy).values_list("user__username", "role"))
    assert roles == {"olivia": Role.OWNER, "s0": Role.WRITER, "s1": Role.WRITER}
    assert team_copy_run(red.pk).copy == copy  # a second run copies nothing again
    assert team_copies_make(actor=cast.owner, debate=template) == 0


def test_the_overview_lists_teams_and_copies(client, cast, template):
    student = UserFactory(username="pupil")
    MembershipFactory(debate=template, user=student, role=Role.VIEWER)
    client.force_login(cast.owner)
    url = reverse("arguments:debate_teams", args=[template.slug])
    assert client.post(url, {"name": "Red", "members": "pupil, nobody"}).status_code == 422
    assert client.post(url, {"name": "Red", "members": "pupil"}).status_code == 302
    copies = reverse("arguments:team_copies", args=[template.slug])
    assert client.post(copies).status_code == 302
    run_all()
    page = client.get(url).content.decode()
    copy = Team.objects.get().copy
    assert copy is not None and reverse("arguments:debate_map", args=[copy.slug]) in page
    client.force_login(cast.moderator)
    assert client.get(url).status_code == 403
    services.claim_add(actor=student, parent=copy.claims.get(is_thesis=True), stance=Stance.PRO,
                       text="The team writes in its copy.")  # fmt: skip
