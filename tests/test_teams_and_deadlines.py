"""Issue 37's remainder: a task's deadline switches the share links off (the task worker,
once, the teacher told); the grade by tasks completed; teams from a join link per team and
from the course's groups; a perspective per team and the cruxes between two teams; the
teams table asking for itself while copies are made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from arguments import selectors, services
from arguments.models import (
    CourseActivity,
    Debate,
    GradeFormula,
    Membership,
    Notification,
    Perspective,
    Role,
    ShareLink,
    Task,
    Team,
)
from arguments.services.grades import debate_grading_set, participation_by_user, score_of
from arguments.services.tasks import task_add, task_deadlines_pass
from arguments.services.teams import (
    team_copies_make,
    team_create,
    team_link_make,
    team_perspectives_make,
)
from arguments.tasks.periodic import task_deadlines
from tests.factories import MembershipFactory, UserFactory
from tests.test_lti_platform import LEARNER, graded_link, learner_launch, platform  # noqa: F401

pytestmark = pytest.mark.django_db


def _past(task: Task) -> None:
    """The deadline passes (a task cannot be set in the past)."""
    Task.objects.filter(pk=task.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))


def test_the_task_worker_switches_the_share_links_off_at_the_deadline_once(
    cast, debate, thesis, now
):
    soon = timezone.now() + dt.timedelta(hours=1)
    link = services.share_link_create(actor=cast.owner, debate=debate, role=Role.WRITER)
    revoked = services.share_link_create(actor=cast.owner, debate=debate, role=Role.VIEWER)
    services.share_link_revoke(actor=cast.owner, link=revoked)
    kept = task_add(
        actor=cast.moderator, debate=debate, kind=Task.Kind.VOTES, count=2, deadline=soon
    )
    task = task_add(
        actor=cast.moderator,
        debate=debate,
        kind=Task.Kind.PROS,
        count=1,
        under=thesis,
        deadline=soon,
        closes_share_links=True,
    )
    assert task_deadlines_pass() == 0  # not yet
    _past(task)
    _past(kept)  # its deadline asks for nothing
    with now():
        task_deadlines.enqueue()  # the periodic job, run by the worker's own code
    link.refresh_from_db()
    task.refresh_from_db()
    assert not link.is_active and link.state == "off" and task.links_closed_at is not None
    notices = Notification.objects.filter(kind=Notification.Kind.DEADLINE)
    # The task's maker and the owner hear of it; the text says how many went off.
    assert {n.recipient.username for n in notices} == {"mo", "olivia"}
    assert "1 share link was switched off" in notices.first().text
    # Switched on again by the teacher, it stays on: the worker acts once.
    services.share_link_switch(actor=cast.owner, link=link, on=True)
    assert task_deadlines_pass() == 0
    link.refresh_from_db()
    assert link.is_active


def test_a_task_closing_the_links_needs_a_deadline(cast, debate, client):
    with pytest.raises(ValidationError):
        task_add(
            actor=cast.owner, debate=debate, kind=Task.Kind.VOTES, count=1, closes_share_links=True
        )
    client.force_login(cast.owner)
    url = reverse("arguments:debate_tasks", args=[debate.slug])
    response = client.post(url, {"kind": "votes", "count": "1", "closes_share_links": "on"})
    assert response.status_code == 422 and b"Set a deadline" in response.content
    deadline = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"kind": "votes", "count": "1", "deadline": deadline, "closes_share_links": "on"}
    )
    assert response.status_code == 302 and Task.objects.get().closes_share_links
    assert "share links switch off then" in client.get(url).content.decode()


def test_the_grade_can_be_the_share_of_tasks_completed(cast, debate, thesis, pro):
    """The writer wrote `pro` under the thesis: one task of two done."""
    task_add(actor=cast.owner, debate=debate, kind=Task.Kind.PROS, count=1, under=thesis)
    task_add(actor=cast.owner, debate=debate, kind=Task.Kind.SOURCES, count=1)
    debate_grading_set(actor=cast.owner, debate=debate, formula=GradeFormula.TASKS, full_marks=10)
    done = participation_by_user(debate, [cast.writer.pk, cast.viewer.pk])
    assert (done[cast.writer.pk].tasks_done, done[cast.writer.pk].tasks_total) == (1, 2)
    assert score_of(debate, done[cast.writer.pk]) == 50.0
    assert score_of(debate, done[cast.viewer.pk]) == 0.0
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/study")
    assert score_of(debate, participation_by_user(debate, [cast.writer.pk])[cast.writer.pk]) == 100
    bare = services.debate_create(owner=cast.owner, title="No tasks?", thesis="None.")
    bare.grade_formula = GradeFormula.TASKS
    assert score_of(bare, participation_by_user(bare, [cast.writer.pk])[cast.writer.pk]) is None


def test_joining_through_a_teams_link_puts_the_student_in_the_team(cast, debate, now):
    red = team_create(actor=cast.owner, debate=debate, name="Red", members=[])
    for persona in ("moderator", "editor", "writer", "viewer", "stranger", "anonymous"):
        with pytest.raises(PermissionDenied):
            team_link_make(actor=cast[persona], team=red)
    link = team_link_make(actor=cast.owner, team=red)
    assert team_link_make(actor=cast.owner, team=red) == link  # one open link per team
    assert (link.team, link.role, link.debate) == (red, Role.WRITER, debate)
    student = UserFactory(username="ada")
    assert services.share_link_join(user=student, link=link) == Role.WRITER
    assert list(red.members.all()) == [student]
    services.share_link_join(user=student, link=link)  # twice: still one member
    assert red.members.count() == 1

    # With a perspective and a copy already, a later joiner joins both.
    assert team_perspectives_make(actor=cast.owner, debate=debate) == 1
    with now():
        team_copies_make(actor=cast.owner, debate=debate)
    red.refresh_from_db()
    assert red.copy is not None and red.perspective is not None
    late = UserFactory(username="bo")
    services.share_link_join(user=late, link=link)
    assert set(red.perspective.members.values_list("username", flat=True)) == {"ada", "bo"}
    assert Membership.objects.get(debate=red.copy, user=late).role == Role.WRITER


def test_a_perspective_per_team_and_the_cruxes_between_two_teams(client, cast, debate, thesis):
    students = [UserFactory(username=f"s{i}") for i in range(4)]
    for student in students:
        MembershipFactory(debate=debate, user=student, role=Role.WRITER)
    red = team_create(actor=cast.owner, debate=debate, name="Red", members=students[:2])
    blue = team_create(actor=cast.owner, debate=debate, name="Blue", members=students[2:])
    for student, value in zip(students, (4, 4, 0, 1), strict=True):
        services.vote_cast(user=student, point=thesis, value=value)
    with pytest.raises(PermissionDenied):
        team_perspectives_make(actor=cast.moderator, debate=debate)
    client.force_login(cast.owner)
    url = reverse("arguments:debate_teams", args=[debate.slug])
    assert client.post(url, {"act": "perspectives"}).status_code == 302
    red.refresh_from_db()
    blue.refresh_from_db()
    assert red.perspective.kind == Perspective.Kind.GROUP and red.perspective.name == "Red"
    assert set(red.perspective.members.all()) == set(students[:2])
    assert client.post(url, {"act": "perspectives"}).status_code == 302  # none made twice
    assert Perspective.objects.filter(debate=debate).count() == 2
    page = client.get(url).content.decode()
    compare = f"by=perspectives&amp;a=group:{blue.perspective_id}&amp;b=group:{red.perspective_id}"
    assert compare in page

    cruxes = reverse("arguments:debate_cruxes", args=[debate.slug])
    asked = {"by": "perspectives", "a": f"group:{red.perspective_id}"}
    response = client.get(cruxes, {**asked, "b": f"group:{blue.perspective_id}"})
    body = response.content.decode()
    assert response.status_code == 200 and "Red and Blue are furthest apart" in body
    assert "Developers should release model weights openly." in body
    assert "3.5 steps apart" in body  # (4 + 4) / 2 against (0 + 1) / 2
    assert client.get(cruxes, asked).status_code == 400  # b missing
    assert client.get(cruxes, {**asked, "b": "group:999999"}).status_code == 404
    client.force_login(cast.writer)  # a group's votes are the managers' to see
    assert client.get(cruxes, {**asked, "b": f"group:{blue.perspective_id}"}).status_code == 403


def test_the_team_buttons_refuse_what_they_should(client, cast, debate):
    other = services.debate_create(owner=cast.owner, title="Another?", thesis="Elsewhere.")
    theirs = team_create(actor=cast.owner, debate=other, name="Theirs", members=[])
    mine = team_create(actor=cast.owner, debate=debate, name="Mine", members=[])
    url = reverse("arguments:debate_teams", args=[debate.slug])
    client.force_login(cast.moderator)
    assert client.post(url, {"act": "link", "team": mine.pk}).status_code == 403
    client.force_login(cast.owner)
    assert client.post(url, {"act": "link", "team": theirs.pk}).status_code == 404
    assert client.post(url, {"act": "link", "team": "x1"}).status_code == 404
    assert client.post(url, {"act": "nonsense"}).status_code == 400
    assert client.post(url, {"act": "link", "team": mine.pk}).status_code == 302
    link = ShareLink.objects.get(team=mine)
    assert link.get_absolute_url() in client.get(url).content.decode()
    assert not ShareLink.objects.filter(team=theirs).exists()


def test_the_teams_table_asks_for_itself_while_copies_are_made(client, cast, debate, now):
    team_create(actor=cast.owner, debate=debate, name="Red", members=[cast.writer])
    client.force_login(cast.owner)
    url = reverse("arguments:debate_teams", args=[debate.slug])
    assert 'hx-trigger="every 3s"' not in client.get(url).content.decode()
    with now():
        team_copies_make(actor=cast.owner, debate=debate)
        page = client.get(url).content.decode()
        assert 'hx-trigger="every 3s"' in page and "updates itself" in page
        assert f'href="{url}"' in page  # "Reload" without JavaScript
        fragment = client.get(url, {"part": "table"}, headers={"HX-Request": "true"})
        assert (
            "<html" not in fragment.content.decode() and "Being copied" in fragment.content.decode()
        )
    fragment = client.get(url, {"part": "table"}, headers={"HX-Request": "true"}).content.decode()
    assert "every 3s" not in fragment and "map</a>" in fragment  # done: the polling stops


def test_the_course_groups_become_teams(client, platform, debate, thesis, cast):  # noqa: F811
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    platform.members = [
        {"user_id": "learner-1", "roles": [LEARNER], "group_enrollments": [{"group_id": "g1"}]},
        {"user_id": "learner-2", "roles": [LEARNER], "group_enrollments": [{"group_id": "g1"}]},
        {"user_id": "learner-3", "roles": [LEARNER], "group_enrollments": [{"group_id": "g2"}]},
        {"user_id": "learner-4", "roles": [LEARNER], "group_enrollments": "garbled"},
    ]
    activity = CourseActivity.objects.get()
    client.force_login(cast.moderator)  # a moderator fetches the roster, makes no team
    roster = reverse("arguments:course_roster", args=[debate.slug, activity.pk])
    client.post(roster)
    assert not Team.objects.exists()
    client.force_login(cast.owner)
    response = client.post(roster, follow=True)
    assert "2 teams made from the course&#x27;s groups" in response.content.decode()
    teams = {
        team.name: sorted(team.members.values_list("lti_users__sub", flat=True))
        for team in Team.objects.filter(template=debate)
    }
    assert teams == {
        "Course group g1": ["learner-1", "learner-2"],
        "Course group g2": ["learner-3"],
    }
    client.post(roster)  # again: no team twice
    assert Team.objects.count() == 2
    assert Debate.objects.get(pk=debate.pk).teams.count() == 2


def test_the_overview_reads_its_teams_in_four_queries(cast, debate, django_assert_num_queries):
    for name in ("Red", "Green", "Blue"):
        team = team_create(actor=cast.owner, debate=debate, name=name, members=[cast.writer])
        team_link_make(actor=cast.owner, team=team)
    # Teams with copy and perspective ids; members; open join links; the copies' figures.
    # Whoever changes this count: say why here.
    with django_assert_num_queries(3):  # no copy yet: the copies' figures need no query
        teams = selectors.teams_of(debate)
    assert [len(team.open_links) for team, _claims, _last in teams] == [1, 1, 1]
