"""Tasks (issue 37, part 5): the teachers set them; each student's progress counts their
published work before the deadline; the activity table and CSV show completion."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Stance, Task
from arguments.reading.tasks import completion_by_user, progress_of, tasks_of
from arguments.services.tasks import task_add, task_remove

pytestmark = pytest.mark.django_db


def test_only_the_owner_and_moderators_set_tasks(cast, debate, thesis):
    task = task_add(actor=cast.moderator, debate=debate, kind=Task.Kind.PROS, count=1, under=thesis)
    for persona in ("editor", "writer", "suggester", "viewer", "stranger", "anonymous"):
        with pytest.raises(PermissionDenied):
            task_add(actor=cast[persona], debate=debate, kind=Task.Kind.VOTES, count=3)
        with pytest.raises(PermissionDenied):
            task_remove(actor=cast[persona], task=task)
    with pytest.raises(ValidationError):  # votes are not cast "under" a claim
        task_add(actor=cast.owner, debate=debate, kind=Task.Kind.VOTES, count=3, under=thesis)
    with pytest.raises(ValidationError):
        task_add(actor=cast.owner, debate=debate, kind=Task.Kind.VOTES, count=0)
    task_remove(actor=cast.owner, task=task)
    debate.refresh_from_db()
    assert tasks_of(debate) == [] and debate.task_count == 0


def test_progress_counts_what_the_task_asks_for(cast, debate, thesis, pro, con):
    """The writer wrote `pro` and `con` under the thesis (fixtures)."""
    pros = task_add(actor=cast.owner, debate=debate, kind=Task.Kind.PROS, count=2, under=thesis)
    sources = task_add(actor=cast.owner, debate=debate, kind=Task.Kind.SOURCES, count=1)
    votes = task_add(actor=cast.owner, debate=debate, kind=Task.Kind.VOTES, count=2)
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/study")
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    elsewhere = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="Deep.")
    assert elsewhere  # a pro, but not under the thesis: not counted for `pros`
    mine = {
        p.task.pk: p
        for p in progress_of(debate, tasks_of(debate), [cast.writer.pk])[cast.writer.pk]
    }
    assert mine[pros.pk].done == 1 and not mine[pros.pk].complete
    assert mine[sources.pk].complete
    assert mine[votes.pk].done == 1
    total, complete = completion_by_user(debate)
    assert total == 3 and complete[cast.writer.pk] == 1


def test_work_after_the_deadline_does_not_count(cast, debate, thesis):
    task = task_add(
        actor=cast.owner,
        debate=debate,
        kind=Task.Kind.ARGUMENTS,
        count=1,
        deadline=timezone.now() + dt.timedelta(hours=1),
    )
    Task.objects.filter(pk=task.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Too late.")
    [progress] = progress_of(debate, tasks_of(debate), [cast.writer.pk])[cast.writer.pk]
    assert progress.done == 0


def test_students_see_their_tasks_with_and_without_javascript(client, cast, debate, thesis, pro):
    task_add(actor=cast.owner, debate=debate, kind=Task.Kind.PROS, count=1, under=thesis)
    client.force_login(cast.writer)
    page = client.get(reverse("arguments:debate", args=[debate.slug])).content.decode()
    url = reverse("arguments:debate_tasks", args=[debate.slug])
    assert url in page  # the panel: loaded by htmx, a link without JavaScript
    whole = client.get(url).content.decode()
    assert "Write 1 pro under" in whole and "Done" in whole and "Add task" not in whole
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="my-tasks"' in fragment
    client.logout()
    assert client.get(url).status_code == 302


def test_the_teacher_adds_and_removes_tasks_on_the_page(client, cast, debate, thesis):
    client.force_login(cast.owner)
    url = reverse("arguments:debate_tasks", args=[debate.slug])
    answer = client.post(url, {"kind": "pros", "count": "2", "under": thesis.pk, "deadline": ""})
    assert answer.status_code == 302
    task = Task.objects.get()
    assert task.under == thesis and task.count == 2
    assert client.post(url, {"kind": "pros", "count": "0"}).status_code == 422
    client.force_login(cast.writer)
    assert client.post(url, {"kind": "votes", "count": "1"}).status_code == 403
    remove = reverse("arguments:task_remove", args=[debate.slug, task.pk])
    assert client.post(remove).status_code == 403
    client.force_login(cast.moderator)
    assert client.post(remove).status_code == 302
    assert Task.objects.get().removed_at is not None


def test_the_activity_table_and_csv_show_completion(client, cast, debate, thesis, pro):
    task_add(actor=cast.owner, debate=debate, kind=Task.Kind.PROS, count=1, under=thesis)
    client.force_login(cast.owner)
    page = client.get(reverse("arguments:debate_activity", args=[debate.slug])).content.decode()
    assert "1 of 1" in page
    response = client.get(reverse("arguments:debate_activity_csv", args=[debate.slug]))
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["wren"]["tasks_complete"] == "1" and rows["vic"]["tasks_complete"] == "0"
